-- Icons are served publicly at a content-addressed URL (/v1/icons/{digest}); find them by it.
CREATE INDEX IF NOT EXISTS icons_by_etag ON icons (etag);
