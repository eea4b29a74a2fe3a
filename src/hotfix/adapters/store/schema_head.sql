-- The schema 0010_content_images, as the migrations build it on SQLite.
-- Written by scripts/gen_schema.py; do not edit.

CREATE TABLE alembic_version (
	version_num VARCHAR(32) NOT NULL, 
	CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)
);
INSERT INTO "alembic_version" VALUES ('0010_content_images');
CREATE TABLE hotfixes (
	number INTEGER NOT NULL, 
	title TEXT NOT NULL, 
	requester VARCHAR(320) NOT NULL, 
	opened_at VARCHAR(40) NOT NULL, 
	head_seq INTEGER NOT NULL, 
	head_hash VARCHAR(64) NOT NULL, 
	PRIMARY KEY (number)
);
CREATE TABLE events (
	id INTEGER NOT NULL, 
	hotfix INTEGER NOT NULL, 
	seq INTEGER NOT NULL, 
	at VARCHAR(40) NOT NULL, 
	actor VARCHAR(320) NOT NULL, 
	kind VARCHAR(64) NOT NULL, 
	payload TEXT NOT NULL, 
	prev_hash VARCHAR(64) NOT NULL, 
	hash VARCHAR(64) NOT NULL, 
	PRIMARY KEY (id), 
	CONSTRAINT uq_events_hotfix_seq UNIQUE (hotfix, seq), 
	FOREIGN KEY(hotfix) REFERENCES hotfixes (number)
);
CREATE INDEX ix_events_hotfix ON events (hotfix);
CREATE TABLE cache (
	namespace VARCHAR(64) NOT NULL, 
	"key" VARCHAR(255) NOT NULL, 
	value TEXT NOT NULL, 
	PRIMARY KEY (namespace, "key")
);
CREATE TABLE waivers (
	id INTEGER NOT NULL, 
	sha VARCHAR(64) NOT NULL, 
	line VARCHAR(64) NOT NULL, 
	reason TEXT NOT NULL, 
	actor VARCHAR(320) NOT NULL, 
	at VARCHAR(40) NOT NULL, 
	PRIMARY KEY (id), 
	CONSTRAINT uq_waivers_sha_line UNIQUE (sha, line)
);
CREATE TABLE projects (
	name VARCHAR(64) NOT NULL, 
	settings TEXT NOT NULL, 
	created_at VARCHAR(40) NOT NULL, 
	PRIMARY KEY (name)
);
CREATE TABLE users (
	email VARCHAR(320) NOT NULL, 
	created_at VARCHAR(40) NOT NULL, 
	PRIMARY KEY (email)
);
CREATE TABLE grants (
	email VARCHAR(320) NOT NULL, 
	project VARCHAR(64) NOT NULL, 
	role VARCHAR(32) NOT NULL, 
	PRIMARY KEY (email, project, role), 
	FOREIGN KEY(email) REFERENCES users (email)
);
CREATE TABLE tokens (
	id INTEGER NOT NULL, 
	email VARCHAR(320) NOT NULL, 
	hash VARCHAR(64) NOT NULL, 
	label VARCHAR(200) NOT NULL, 
	created_at VARCHAR(40) NOT NULL, 
	expires_at VARCHAR(40), 
	revoked_at VARCHAR(40), 
	last_used_at VARCHAR(40), 
	PRIMARY KEY (id), 
	FOREIGN KEY(email) REFERENCES users (email), 
	UNIQUE (hash)
);
CREATE INDEX ix_tokens_email ON tokens (email);
CREATE TABLE security_events (
	id INTEGER NOT NULL, 
	at VARCHAR(40) NOT NULL, 
	kind VARCHAR(64) NOT NULL, 
	claimed VARCHAR(320) NOT NULL, 
	address VARCHAR(64) NOT NULL, 
	detail TEXT NOT NULL, 
	PRIMARY KEY (id)
);
CREATE TABLE outbox (
	number INTEGER NOT NULL, 
	id VARCHAR(200) NOT NULL, 
	channel VARCHAR(64) NOT NULL, 
	hotfix INTEGER NOT NULL, 
	notice TEXT NOT NULL, 
	state VARCHAR(16) NOT NULL, 
	attempts INTEGER NOT NULL, 
	next_at VARCHAR(40) NOT NULL, 
	created_at VARCHAR(40) NOT NULL, 
	delivered_at VARCHAR(40), 
	last_error TEXT NOT NULL, held_by VARCHAR(200), 
	PRIMARY KEY (number), 
	CONSTRAINT uq_outbox_id UNIQUE (id), 
	FOREIGN KEY(hotfix) REFERENCES hotfixes (number)
);
CREATE INDEX ix_outbox_hotfix ON outbox (hotfix);
CREATE INDEX ix_outbox_state_next_at ON outbox (state, next_at);
CREATE TABLE flag_client_keys (
	id INTEGER NOT NULL, 
	project VARCHAR(64) NOT NULL, 
	hash VARCHAR(64) NOT NULL, 
	label VARCHAR(200) NOT NULL, 
	created_by VARCHAR(320) NOT NULL, 
	created_at VARCHAR(40) NOT NULL, 
	revoked_at VARCHAR(40), 
	PRIMARY KEY (id), 
	UNIQUE (hash)
);
CREATE INDEX ix_flag_client_keys_project ON flag_client_keys (project);
CREATE TABLE content_catalogs (
	version INTEGER NOT NULL, 
	digest VARCHAR(64) NOT NULL, 
	body TEXT NOT NULL, 
	actor VARCHAR(320) NOT NULL, 
	at VARCHAR(40) NOT NULL, 
	PRIMARY KEY (version)
);
CREATE TABLE signed_heads (
	hotfix INTEGER NOT NULL, 
	seq INTEGER NOT NULL, 
	hash VARCHAR(64) NOT NULL, 
	signature VARCHAR(200) NOT NULL, 
	key_id VARCHAR(64) NOT NULL, 
	PRIMARY KEY (hotfix)
);
CREATE TABLE record_index (
	position INTEGER NOT NULL, 
	hotfix INTEGER NOT NULL, 
	opened_hash VARCHAR(64) NOT NULL, 
	running_hash VARCHAR(64) NOT NULL, 
	PRIMARY KEY (position), 
	UNIQUE (hotfix)
);
CREATE TABLE running_head (
	id INTEGER NOT NULL, 
	count INTEGER NOT NULL, 
	hash VARCHAR(64) NOT NULL, 
	signature VARCHAR(200) NOT NULL, 
	key_id VARCHAR(64) NOT NULL, 
	PRIMARY KEY (id)
);
CREATE TABLE published (
	id INTEGER NOT NULL, 
	kind VARCHAR(32) NOT NULL, 
	"commit" VARCHAR(64) NOT NULL, 
	body TEXT NOT NULL, 
	actor VARCHAR(320) NOT NULL, 
	at VARCHAR(40) NOT NULL, 
	PRIMARY KEY (id)
);
CREATE INDEX ix_published_kind ON published (kind);
CREATE TABLE content_images (
	name VARCHAR(80) NOT NULL, 
	media_type VARCHAR(40) NOT NULL, 
	width INTEGER NOT NULL, 
	height INTEGER NOT NULL, 
	size INTEGER NOT NULL, 
	data BLOB NOT NULL, 
	actor VARCHAR(320) NOT NULL, 
	at VARCHAR(40) NOT NULL, 
	PRIMARY KEY (name)
);
