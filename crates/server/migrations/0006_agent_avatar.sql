-- An agent's avatar (an image URL shown to visitors); empty for none.
ALTER TABLE agents ADD COLUMN avatar_url TEXT NOT NULL DEFAULT '';
