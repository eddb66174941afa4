-- A user's chosen UI language ('en' or 'zh-CN'); NULL follows the browser's Accept-Language.
ALTER TABLE users ADD COLUMN language TEXT;
