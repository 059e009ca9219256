// Lua 5.4 for Swift. Lua's API is mostly macros (lua_pop, lua_pcall, lua_tostring), which Swift cannot call;
// the policy module (BatonPolicy) adds `static inline` wrappers for the ones it uses here. Until then this
// module only makes the C headers visible. Enter Lua only through protected calls: a Lua error longjmps.
#ifndef BATON_CLUA_SHIM_H
#define BATON_CLUA_SHIM_H
#include <lua5.4/lua.h>
#include <lua5.4/lualib.h>
#include <lua5.4/lauxlib.h>
#endif
