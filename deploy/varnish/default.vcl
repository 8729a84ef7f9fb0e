# The cache in front of the content API, as compose.yaml deploys it and
# tests/server/test_topology.py runs it (Varnish 7 with the xkey vmod of varnish-modules).
#
# It honours what the API says: the TTL from `max-age`, grace from `stale-while-revalidate`
# (an expired page is served at once while a fresh one is fetched, and while the API is
# down), `ETag` for 304s and for revalidating an expired page. Responses are tagged with
# the API's surrogate keys, and `content-api purge-proxy` purges them by key when the content
# changes.
vcl 4.1;

import directors;
import xkey;

# What differs per deployment: the backends, the director `api` and the ACL `purgers`.
include "./site.vcl";

sub vcl_recv {
    if (req.method == "PURGE") {
        if (client.ip !~ purgers) {
            return (synth(403, "Forbidden"));
        }
        if (!req.http.xkey) {
            return (synth(400, "Name the keys to purge in xkey"));
        }
        set req.http.n-gone = xkey.purge(req.http.xkey);
        return (synth(200, "Invalidated " + req.http.n-gone + " objects"));
    }
    set req.backend_hint = api.backend();
    # A probe reports on one instance at this moment.
    if (req.url ~ "^/(livez|readyz)") {
        return (pass);
    }
    # The API reads no cookie: one must not make its answers uncacheable. Requests with
    # credentials still pass (the editor API's, once it exists, are private).
    unset req.http.Cookie;
}

sub vcl_backend_response {
    # Only successful answers are kept: a 404 may be published a second later, and 429 and
    # 5xx say "not now" (the API marks them no-store as well).
    if (beresp.status != 200) {
        set beresp.uncacheable = true;
        set beresp.ttl = 0s;
        return (deliver);
    }
    set beresp.http.xkey = beresp.http.Surrogate-Key;
    unset beresp.http.Surrogate-Key;
    # Past TTL and grace, keep the object to revalidate it with If-None-Match.
    set beresp.keep = 1h;
}

sub vcl_deliver {
    unset resp.http.xkey;
    if (obj.hits > 0) {
        set resp.http.X-Cache = "HIT";
    } else {
        set resp.http.X-Cache = "MISS";
    }
}
