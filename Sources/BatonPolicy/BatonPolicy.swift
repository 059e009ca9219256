// BatonPolicy: the Lua policy sandbox (see docs/architecture.md).
