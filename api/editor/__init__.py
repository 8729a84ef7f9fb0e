"""The editor API: API keys, writes for every collection, revisions, audit, webhooks."""
