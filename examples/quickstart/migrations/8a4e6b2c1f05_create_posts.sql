-- revision: 8a4e6b2c1f05
-- revises: 3f1c2a9b7d10
-- message: create posts
-- +upgrade
CREATE TABLE posts (
  id INTEGER PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  title TEXT NOT NULL,
  body TEXT
);
CREATE INDEX ix_posts_user_id ON posts (user_id);
-- +downgrade
DROP TABLE posts;
