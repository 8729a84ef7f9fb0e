# compose.yaml's deployment: two API instances, and the purger allowed to PURGE.
probe livez {
    .url = "/livez";
    .interval = 2s;
    .timeout = 1s;
    .window = 3;
    .threshold = 2;
}

backend api_1 {
    .host = "api-1";
    .port = "8000";
    .probe = livez;
}

backend api_2 {
    .host = "api-2";
    .port = "8000";
    .probe = livez;
}

acl purgers {
    "172.28.0.11";  # the purger (compose.yaml gives it this address)
    "localhost";
}

sub vcl_init {
    new api = directors.round_robin();
    api.add_backend(api_1);
    api.add_backend(api_2);
}
