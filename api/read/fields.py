"""A collection's public fields, declared once: how each is read from a row.

`PublicFields(NewsPublic, {...})` maps every field of the public model, in its order, to the
column it is read from, or to a `Computed` value of some columns. From that one declaration
come the columns a list selects, the JSON of each item, and the choices of the `fields`
parameter; a field of the model without a reading (or a reading of no field) stops the app at
import, so the four can never drift apart.

An item's JSON is built by a function generated from the declaration, as `dataclasses` builds
its `__init__`: a dict display with one entry per field, the same code one would write by hand.
A loop over the fields instead cost 2.2 µs more per news item (44 µs on a page of 20, about 7%
of a cold page), measured in-process on the seed rows. A `Computed` made by `Computed.of` is an
expression, written into that function as it stands, which saves a call per computed field and
row (five per news item; cProfile counted 27 on an average cold page of the benchmark's news).
"""

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import repeat
from typing import Any

from pydantic import BaseModel, GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, PydanticCustomError, core_schema

Column = Any
Row = Any
# The texts of a row in English: none (its own columns have them). Never written to.
NO_TEXTS: Mapping[str, Any] = {}
MAX_SELECTIONS = 256  # generated functions kept per collection for `fields` selections


@dataclass(frozen=True)
class Computed:
    """A field computed from some columns: `value(row, context)` gives its JSON value."""

    columns: tuple[Column, ...]
    value: Callable[[Row, Any], Any]
    # The same value as a Python expression of `row`, `context` and `names` (see `of`).
    expression: str | None = None
    names: Mapping[str, Any] | None = None

    @classmethod
    def of(cls, columns: tuple[Column, ...], expression: str, **names: Any) -> "Computed":
        """A field whose value is `expression`, for example `"instant(row['published_at'])"`
        with `instant=instant`: generated item functions inline it instead of calling. It may
        read `texts` too (see `Texts`): the row's translated texts, empty in English."""
        scope = {**names, "NO_TEXTS": NO_TEXTS}
        # Our own text, at import.
        value = eval(f"lambda row, context, texts=NO_TEXTS: {expression}", scope)
        return cls(columns, value, expression, names)

    def reads(self) -> set[str]:
        return {column.name for column in self.columns}


class FieldChoices:
    """Annotation of a `fields` parameter: each item must name a field of the collection.

    `Annotated[CommaList[str], NEWS_FIELDS.choices]`: validation says which names exist, and
    the JSON schema lists them as an enum, as a `Literal` would.
    """

    def __init__(self, names: Sequence[str]) -> None:
        self.names = tuple(names)
        self._known = frozenset(names)
        quoted = [repr(n) for n in self.names]
        self._expected = ", ".join(quoted[:-1]) + f" or {quoted[-1]}"

    def _check(self, values: list[str]) -> list[str]:
        if not self._known.issuperset(values):
            raise PydanticCustomError(
                "literal_error", "Input should be {expected}", {"expected": self._expected}
            )
        return values

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        return core_schema.no_info_after_validator_function(self._check, handler(source))

    def __get_pydantic_json_schema__(
        self, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        json_schema = handler(schema)
        json_schema["items"] = {"enum": list(self.names), "type": "string"}
        return json_schema


class PublicFields:
    """The public fields of a collection and how each is read from a row."""

    def __init__(self, model: type[BaseModel], readings: Mapping[str, Column | Computed]):
        if list(readings) != list(model.model_fields):
            raise TypeError(
                f"{model.__name__}: the readings must name its fields in order: "
                f"{list(model.model_fields)}, not {list(readings)}"
            )
        self.model = model
        self.names = tuple(readings)
        self.choices = FieldChoices(self.names)
        columns: list[Column] = []
        for reading in readings.values():
            columns += reading.columns if isinstance(reading, Computed) else [reading]
        # Unique, in order (columns compare by identity when hashed).
        self.columns: tuple[Column, ...] = tuple({id(c): c for c in columns}.values())
        self._readings = dict(readings)
        self._build = self._generate(self.names)
        # One function per distinct selection of `fields` (and set of translated texts),
        # generated on first use: a client may name them in any order, so the key is the set;
        # a dozen names make at most a few thousand sets, and the number kept is bounded anyway.
        self._subsets: dict[
            tuple[frozenset[str], frozenset[str]], Callable[..., dict[str, Any]]
        ] = {}

    def _generate(
        self, names: Sequence[str], texts: frozenset[str] = frozenset()
    ) -> Callable[..., dict[str, Any]]:
        """`def item(row, context): return {"slug": row["slug"], "topics": c3(row, context)}`.

        With `texts` (the keys of `Texts.overlays`), `def item(row, context, texts)`: a field
        read from a translated column is `texts.get("name", row["name"])`, and a computed field
        that reads one gets a row of its own columns with the texts laid over them. A row is
        never copied whole: copying each asyncpg Record into a dict was most of what a page in
        another language cost more than in English (bench/README.md, "6 Dec")."""
        scope: dict[str, Any] = {"NO_TEXTS": NO_TEXTS}
        entries = []
        for i, name in enumerate(names):
            reading = self._readings[name]
            translated = isinstance(reading, Computed) and not texts.isdisjoint(reading.reads())
            if isinstance(reading, Computed) and reading.expression is not None:
                for known, value in (reading.names or {}).items():
                    if scope.setdefault(known, value) is not value:
                        raise TypeError(f"{self.model.__name__}: two readings name {known!r}")
                expression = reading.expression
                if translated:
                    expression = _reading_texts(expression, texts & reading.reads())
                entries.append(f"{name!r}: {expression}")
            elif translated:  # a function of the row: a row of its own columns and the texts
                scope[f"c{i}"] = reading.value
                own = [f"{c.name!r}: row[{c.name!r}]" for c in reading.columns]
                entries.append(f"{name!r}: c{i}({{{', '.join([*own, '**texts'])}}}, context)")
            elif isinstance(reading, Computed):
                scope[f"c{i}"] = reading.value
                entries.append(f"{name!r}: c{i}(row, context)")
            elif reading.name in texts:
                entries.append(f"{name!r}: texts.get({reading.name!r}, row[{reading.name!r}])")
            else:
                entries.append(f"{name!r}: row[{reading.name!r}]")
        parameters = "row, context, texts" if texts else "row, context, texts=NO_TEXTS"
        source = f"def item({parameters}):\n    return {{{', '.join(entries)}}}\n"
        exec(source, scope)
        built: Callable[..., dict[str, Any]] = scope["item"]
        return built

    def item(
        self, row: Row, context: Any, only: Sequence[str] = (), texts: "Texts | None" = None
    ) -> dict[str, Any]:
        """The JSON of one row: every field, or only those named (in the model's order); with
        `texts`, its translated texts laid over it."""
        if texts is not None:
            built: dict[str, Any] = self.items([row], context, only, texts)[0]
            return built
        if not only:
            return self._build(row, context)
        return self._selected(tuple(only), frozenset())(row, context)

    def items(
        self,
        rows: Sequence[Row],
        context: Any,
        only: Sequence[str] = (),
        texts: "Texts | None" = None,
    ) -> list[dict[str, Any]]:
        """The JSON of each row, as `item`; `texts.overlays` go with `rows` in order."""
        if texts is None:
            build = self._build if not only else self._selected(tuple(only), frozenset())
            return list(map(build, rows, repeat(context)))
        build = self._selected(tuple(only or self.names), texts.names)
        if len(texts.overlays) != len(rows):
            raise ValueError(f"{len(rows)} rows and {len(texts.overlays)} texts")
        return list(map(build, rows, repeat(context), texts.overlays))

    def _selected(
        self, only: tuple[str, ...], texts: frozenset[str]
    ) -> Callable[..., dict[str, Any]]:
        key = (frozenset(only), texts)
        found = self._subsets.get(key)
        if found is None:
            found = self._generate([n for n in self.names if n in key[0]], texts)
            if len(self._subsets) < MAX_SELECTIONS:
                self._subsets[key] = found
        return found


def _reading_texts(expression: str, keys: Iterable[str]) -> str:
    """`expression` (of `Computed.of`) reading the columns `keys` from the texts first:
    `row['name']` is `texts.get('name', row['name'])`. Raises if it reads one another way."""
    for key in keys:
        if f"row[{key!r}]" not in expression:
            raise TypeError(f"{expression!r} reads the translated {key!r} other than as row[…]")
        expression = expression.replace(f"row[{key!r}]", f"texts.get({key!r}, row[{key!r}])")
    return expression


@dataclass(frozen=True)
class Texts:
    """The translated texts of some rows (`api.content.routing.translations`): for each row,
    in order, a dict of its texts in the answer's language and `_fallback`, the fields that
    are not in it; `names`, every key such a dict may have."""

    overlays: list[dict[str, Any]]
    names: frozenset[str]
