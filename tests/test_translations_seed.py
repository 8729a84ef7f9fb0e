"""The seed's translations are what CLDR (through Babel) and the hand-written lists make."""

from api.content.translations.cldr import MENU_LABELS, TOPICS, render
from api.seed import SEED_DIR


def test_the_committed_translations_are_cldrs_and_the_hand_written_lists() -> None:
    assert (SEED_DIR / "translations.json").read_text(encoding="utf-8") == render()


def test_every_field_of_work_and_listed_label_has_five_translations() -> None:
    assert len(TOPICS) == 23
    for names in (*TOPICS.values(), *MENU_LABELS.values()):
        assert len(names) == 5
        assert all(name.strip() == name and name for name in names)
