// BatonHooks: running operators' hook executables (see docs/architecture.md).
