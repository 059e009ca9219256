// Lua 5.4 for Swift, behind one small shim.
//
// Lua's API is mostly macros (lua_pop, lua_pcall, lua_tostring), which Swift cannot call, and Lua reports errors
// with longjmp, which must never cross a Swift frame. So everything that can raise a Lua error (allocation,
// globals, table writes, the instruction hook, the helpers' result pushing) lives here in C and is entered only
// through lua_pcall; Swift only calls the `baton_shim_*` entry points below and the non-raising reads
// (lua_type, lua_toboolean, lua_tolstring on strings, lua_rawlen, lua_rawgeti, lua_next, lua_settop).
#ifndef BATON_CLUA_SHIM_H
#define BATON_CLUA_SHIM_H
#include <lua5.4/lua.h>
#include <lua5.4/lualib.h>
#include <lua5.4/lauxlib.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

// MARK: - Macro wrappers

static inline void baton_lua_pop(lua_State *L, int n) { lua_pop(L, n); }
static inline int baton_lua_pcall(lua_State *L, int nargs, int nresults, int msgh) {
    return lua_pcall(L, nargs, nresults, msgh);
}
static inline int baton_lua_isnoneornil(lua_State *L, int index) { return lua_isnoneornil(L, index); }
/// The string at `index` without conversion: NULL unless the value is a string (never allocates, never raises).
static inline const char *baton_lua_string(lua_State *L, int index, size_t *length) {
    if (lua_type(L, index) != LUA_TSTRING) return NULL;
    return lua_tolstring(L, index, length);
}
static inline lua_Integer baton_lua_tointeger(lua_State *L, int index, int *isnum) {
    return lua_tointegerx(L, index, isnum);
}
static inline lua_Number baton_lua_tonumber(lua_State *L, int index, int *isnum) {
    return lua_tonumberx(L, index, isnum);
}

// MARK: - Limits: memory cap (allocator), instruction budget and wall-clock deadline (count hook)

enum { BATON_TRIP_NONE = 0, BATON_TRIP_INSTRUCTIONS = 1, BATON_TRIP_TIME = 2 };

typedef struct baton_limits {
    size_t memory_used;
    size_t memory_peak;
    size_t memory_limit;
    unsigned long memory_refusals;
    long long instructions_used;
    long long instruction_limit;
    int hook_interval;
    double deadline; // baton_shim_monotonic_seconds()
    int tripped;     // BATON_TRIP_*
} baton_limits;

static inline double baton_shim_monotonic_seconds(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)now.tv_sec + (double)now.tv_nsec / 1e9;
}

/// lua_Alloc that refuses to grow the state beyond `memory_limit`: Lua turns the refusal into a memory error.
static void *baton_shim_alloc(void *ud, void *ptr, size_t osize, size_t nsize) {
    baton_limits *limits = (baton_limits *)ud;
    size_t old = ptr != NULL ? osize : 0; // without a block, osize is a type tag
    if (nsize == 0) {
        limits->memory_used -= old;
        free(ptr);
        return NULL;
    }
    if (nsize > old && limits->memory_used - old + nsize > limits->memory_limit) {
        limits->memory_refusals += 1;
        return NULL;
    }
    void *block = realloc(ptr, nsize);
    if (block == NULL) {
        limits->memory_refusals += 1;
        return NULL;
    }
    limits->memory_used = limits->memory_used - old + nsize;
    if (limits->memory_used > limits->memory_peak) limits->memory_peak = limits->memory_used;
    return block;
}

/// Count hook: charges the instruction budget and checks the deadline. Once a limit is hit it fires on every
/// instruction and raises every time, so `pcall` inside the policy cannot swallow it.
static void baton_shim_hook(lua_State *L, lua_Debug *ar) {
    (void)ar;
    void *ud = NULL;
    lua_getallocf(L, &ud);
    baton_limits *limits = (baton_limits *)ud;
    if (limits->tripped == BATON_TRIP_NONE) {
        limits->instructions_used += limits->hook_interval;
        if (limits->instructions_used > limits->instruction_limit) {
            limits->tripped = BATON_TRIP_INSTRUCTIONS;
        } else if (baton_shim_monotonic_seconds() > limits->deadline) {
            limits->tripped = BATON_TRIP_TIME;
        } else {
            return;
        }
        lua_sethook(L, baton_shim_hook, LUA_MASKCOUNT, 1);
    }
    luaL_error(L, limits->tripped == BATON_TRIP_INSTRUCTIONS ? "instruction budget exhausted" : "time limit exceeded");
}

/// A fresh state under `limits` (which must outlive it), with the hook installed; NULL when it cannot be created.
static inline lua_State *baton_shim_newstate(baton_limits *limits) {
    lua_State *L = lua_newstate(baton_shim_alloc, limits);
    if (L != NULL) lua_sethook(L, baton_shim_hook, LUA_MASKCOUNT, limits->hook_interval);
    return L;
}

// MARK: - Helpers: Lua -> C trampoline -> Swift function that never raises; C pushes the results

#define BATON_HELPER_MAX_ARGS 4
enum {
    BATON_RESULT_NOTHING = 0,
    BATON_RESULT_BOOLEAN = 1,
    BATON_RESULT_INTEGER = 2,
    BATON_RESULT_STRING = 3,
    BATON_RESULT_FAILURE = 4, // returns nil, message
};

typedef struct baton_helper_value {
    int type; // LUA_T*
    const char *string; // LUA_TSTRING only; valid during the call
    size_t length;
    int boolean;
} baton_helper_value;

typedef struct baton_helper_call {
    int argc;
    baton_helper_value args[BATON_HELPER_MAX_ARGS];
    int result; // BATON_RESULT_*
    int boolean;
    lua_Integer integer;
    const char *string; // owned by the helper's context, valid until its next call
    size_t length;
} baton_helper_call;

typedef void (*baton_helper_fn)(void *context, baton_helper_call *call);

typedef struct baton_helper {
    const char *name;
    baton_helper_fn function;
    void *context;
} baton_helper;

static inline void baton_shim_helper_argument(lua_State *L, int index, baton_helper_value *value) {
    value->type = lua_type(L, index);
    if (value->type == LUA_TSTRING) value->string = lua_tolstring(L, index, &value->length);
    if (value->type == LUA_TBOOLEAN) value->boolean = lua_toboolean(L, index);
}

static inline int baton_shim_helper_results(lua_State *L, const baton_helper_call *call) {
    switch (call->result) {
    case BATON_RESULT_BOOLEAN: lua_pushboolean(L, call->boolean); return 1;
    case BATON_RESULT_INTEGER: lua_pushinteger(L, call->integer); return 1;
    case BATON_RESULT_STRING: lua_pushlstring(L, call->string, call->length); return 1;
    case BATON_RESULT_FAILURE:
        lua_pushnil(L);
        lua_pushlstring(L, call->string, call->length);
        return 2;
    default: return 0;
    }
}

static int baton_shim_helper_trampoline(lua_State *L) {
    const baton_helper *helper = (const baton_helper *)lua_touserdata(L, lua_upvalueindex(1));
    baton_helper_call call;
    memset(&call, 0, sizeof call);
    call.argc = lua_gettop(L);
    for (int i = 0; i < call.argc && i < BATON_HELPER_MAX_ARGS; i++) baton_shim_helper_argument(L, i + 1, &call.args[i]);
    helper->function(helper->context, &call);
    return baton_shim_helper_results(L, &call);
}

/// `print(...)`: tostring of every argument joined by tabs, sent to the log helper at level "info".
static int baton_shim_print(lua_State *L) {
    const baton_helper *helper = (const baton_helper *)lua_touserdata(L, lua_upvalueindex(1));
    int n = lua_gettop(L);
    luaL_Buffer buffer;
    luaL_buffinit(L, &buffer);
    for (int i = 1; i <= n; i++) {
        luaL_tolstring(L, i, NULL);
        if (i > 1) luaL_addchar(&buffer, '\t');
        luaL_addvalue(&buffer);
    }
    luaL_pushresult(&buffer);
    baton_helper_call call;
    memset(&call, 0, sizeof call);
    call.argc = 2;
    call.args[0].type = LUA_TSTRING;
    call.args[0].string = "info";
    call.args[0].length = 4;
    call.args[1].type = LUA_TSTRING;
    call.args[1].string = lua_tolstring(L, -1, &call.args[1].length);
    helper->function(helper->context, &call);
    return 0;
}

// MARK: - Guards for C loops the instruction hook cannot interrupt

/// Lua patterns backtrack: the cost grows like (subject length)^(repetitions + 1). Above this many steps a
/// string.find/match/gmatch/gsub call is refused with an error instead of running for minutes inside C.
#define BATON_PATTERN_BUDGET 1e8

static inline size_t baton_shim_skip_set(const char *p, size_t length, size_t i) {
    size_t j = i + 1;
    if (j < length && p[j] == '^') j++;
    do {
        if (j >= length) return length;
        if (p[j++] == '%' && j < length) j++;
    } while (j < length && p[j] != ']');
    return j + 1;
}

/// Counts `*`, `+`, `-` repetitions and `%b` in a Lua pattern (over-counting is harmless: it only refuses more).
static inline int baton_shim_pattern_repetitions(const char *p, size_t length) {
    int count = 0;
    size_t i = 0;
    while (i < length) {
        size_t end;
        if (p[i] == '%') {
            if (i + 1 >= length) break;
            if (p[i + 1] == 'b') { count++; i += 4; continue; }
            if (p[i + 1] == 'f') {
                i += 2;
                if (i < length && p[i] == '[') i = baton_shim_skip_set(p, length, i);
                continue;
            }
            end = i + 2;
        } else if (p[i] == '[') {
            end = baton_shim_skip_set(p, length, i);
        } else if (p[i] == '(' || p[i] == ')') {
            i++;
            continue;
        } else {
            end = i + 1;
        }
        if (end < length && (p[end] == '*' || p[end] == '+' || p[end] == '-')) {
            count++;
            i = end + 1;
        } else if (end < length && p[end] == '?') {
            i = end + 1;
        } else {
            i = end;
        }
    }
    return count;
}

/// Wraps string.find/match/gmatch/gsub (upvalue 1: the original; upvalue 2: whether argument 4 can mean "plain").
static int baton_shim_pattern_guard(lua_State *L) {
    int plain = lua_toboolean(L, lua_upvalueindex(2)) && lua_toboolean(L, 4);
    if (!plain && lua_type(L, 1) == LUA_TSTRING && lua_type(L, 2) == LUA_TSTRING) {
        size_t subject = 0, pattern = 0;
        lua_tolstring(L, 1, &subject);
        const char *p = lua_tolstring(L, 2, &pattern);
        int repetitions = baton_shim_pattern_repetitions(p, pattern);
        double cost = 1;
        for (int k = 0; k <= repetitions && cost <= BATON_PATTERN_BUDGET; k++) cost *= (double)subject + 1;
        if (cost > BATON_PATTERN_BUDGET)
            return luaL_error(L, "pattern with %d repetitions is too costly on a %d-byte subject (sandbox limit)",
                              repetitions, (int)subject);
    }
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
    return lua_gettop(L);
}

/// Wraps string.rep: repeating an empty string with an empty separator loops n times without allocating.
static int baton_shim_rep_guard(lua_State *L) {
    size_t length = 1, separator = 0;
    if (lua_type(L, 1) == LUA_TSTRING) lua_tolstring(L, 1, &length);
    if (lua_type(L, 3) == LUA_TSTRING) lua_tolstring(L, 3, &separator);
    else if (!lua_isnoneornil(L, 3)) separator = 1;
    if (length == 0 && separator == 0) {
        lua_pushliteral(L, "");
        return 1;
    }
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
    return lua_gettop(L);
}

// MARK: - The sandbox's environment

static inline void baton_shim_remove(lua_State *L, int table, const char *name) {
    lua_pushnil(L);
    lua_setfield(L, table, name);
}

static inline void baton_shim_wrap(lua_State *L, int table, const char *name, lua_CFunction guard, int plain) {
    lua_getfield(L, table, name);
    if (guard == baton_shim_pattern_guard) {
        lua_pushboolean(L, plain);
        lua_pushcclosure(L, guard, 2);
    } else {
        lua_pushcclosure(L, guard, 1);
    }
    lua_setfield(L, table, name);
}

/// Arguments: light userdata (baton_helper array), count, index of the log helper (for print).
static int baton_shim_open_sandbox_protected(lua_State *L) {
    baton_helper *helpers = (baton_helper *)lua_touserdata(L, 1);
    int count = (int)lua_tointeger(L, 2);
    int log_index = (int)lua_tointeger(L, 3);
    lua_settop(L, 0);
    luaL_requiref(L, LUA_GNAME, luaopen_base, 1);
    luaL_requiref(L, LUA_STRLIBNAME, luaopen_string, 1);
    luaL_requiref(L, LUA_TABLIBNAME, luaopen_table, 1);
    luaL_requiref(L, LUA_MATHLIBNAME, luaopen_math, 1);
    luaL_requiref(L, LUA_UTF8LIBNAME, luaopen_utf8, 1);
    lua_settop(L, 0);
    lua_pushglobaltable(L); // 1
    baton_shim_remove(L, 1, "dofile");
    baton_shim_remove(L, 1, "loadfile");
    baton_shim_remove(L, 1, "load");
    baton_shim_remove(L, 1, "collectgarbage");
    baton_shim_remove(L, 1, "warn");

    lua_getfield(L, 1, LUA_STRLIBNAME); // 2
    baton_shim_remove(L, 2, "dump");
    baton_shim_wrap(L, 2, "find", baton_shim_pattern_guard, 1);
    baton_shim_wrap(L, 2, "match", baton_shim_pattern_guard, 0);
    baton_shim_wrap(L, 2, "gmatch", baton_shim_pattern_guard, 0);
    baton_shim_wrap(L, 2, "gsub", baton_shim_pattern_guard, 0);
    baton_shim_wrap(L, 2, "rep", baton_shim_rep_guard, 0);
    lua_pop(L, 1);

    lua_getfield(L, 1, LUA_TABLIBNAME); // 2: table.move with nil values loops without allocating
    baton_shim_remove(L, 2, "move");
    lua_pop(L, 1);

    lua_getfield(L, 1, LUA_MATHLIBNAME); // 2: deterministic random numbers, no reseeding from the clock
    lua_getfield(L, 2, "randomseed");
    lua_pushinteger(L, 0);
    lua_call(L, 1, 0);
    baton_shim_remove(L, 2, "randomseed");
    lua_pop(L, 1);

    lua_createtable(L, 0, count); // 2: baton
    for (int i = 0; i < count; i++) {
        lua_pushlightuserdata(L, &helpers[i]);
        lua_pushcclosure(L, baton_shim_helper_trampoline, 1);
        lua_setfield(L, 2, helpers[i].name);
    }
    lua_setfield(L, 1, "baton");
    lua_pushlightuserdata(L, &helpers[log_index]);
    lua_pushcclosure(L, baton_shim_print, 1);
    lua_setfield(L, 1, "print");
    lua_settop(L, 0);
    return 0;
}

/// Opens the safe libraries and the `baton` helpers; on failure the message is on the stack.
static inline int baton_shim_open_sandbox(lua_State *L, baton_helper *helpers, int count, int log_index) {
    lua_settop(L, 0);
    if (!lua_checkstack(L, 4)) return LUA_ERRMEM;
    lua_pushcfunction(L, baton_shim_open_sandbox_protected);
    lua_pushlightuserdata(L, helpers);
    lua_pushinteger(L, count);
    lua_pushinteger(L, log_index);
    return lua_pcall(L, 3, 0, 0);
}

// MARK: - Running the policy

/// Message handler: the error message followed by Lua's traceback.
static int baton_shim_traceback(lua_State *L) {
    const char *message = lua_type(L, 1) == LUA_TSTRING || lua_type(L, 1) == LUA_TNUMBER ? lua_tostring(L, 1) : NULL;
    if (message == NULL) message = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
    luaL_traceback(L, L, message, 1);
    return 1;
}

/// Loads `source` as text (never bytecode) and runs it. On failure the message (with a traceback when the chunk
/// ran) is on top of the stack; a syntax error returns LUA_ERRSYNTAX.
static inline int baton_shim_run_chunk(lua_State *L, const char *source, size_t length, const char *chunkname) {
    lua_settop(L, 0);
    if (!lua_checkstack(L, 4)) return LUA_ERRMEM;
    lua_pushcfunction(L, baton_shim_traceback);
    int status = luaL_loadbufferx(L, source, length, chunkname, "t");
    if (status != LUA_OK) return status;
    return lua_pcall(L, 0, 0, 1);
}

typedef struct baton_call_request {
    const char *function; // global name
    const char *input;    // Lua text: `return arg1, arg2, ...`
    size_t input_length;
    int found; // set: whether the global is a function
    int only_probe; // only set `found`
} baton_call_request;

static int baton_shim_call_protected(lua_State *L) {
    baton_call_request *request = (baton_call_request *)lua_touserdata(L, 1);
    lua_settop(L, 0);
    request->found = lua_getglobal(L, request->function) == LUA_TFUNCTION;
    if (!request->found || request->only_probe) return 0;
    if (luaL_loadbufferx(L, request->input, request->input_length, "=input", "t") != LUA_OK) return lua_error(L);
    lua_call(L, 0, LUA_MULTRET);
    lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
    return lua_gettop(L);
}

/// Calls the global function with the arguments the input chunk returns. On success the stack is
/// [message handler, results...]; on failure the message is on top.
static inline int baton_shim_call(lua_State *L, baton_call_request *request) {
    lua_settop(L, 0);
    if (!lua_checkstack(L, 4)) return LUA_ERRMEM;
    lua_pushcfunction(L, baton_shim_traceback);
    lua_pushcfunction(L, baton_shim_call_protected);
    lua_pushlightuserdata(L, request);
    return lua_pcall(L, 1, LUA_MULTRET, 1);
}

#endif
