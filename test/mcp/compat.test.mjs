// Compatibility with nihilok/run's own MCP tests: rfc003_mcp_test.rs / mcp_server_test.rs
// (@desc and @arg, --inspect, --serve-mcp, the global merge) and rfc004_mcp_integration.rs /
// mcp_tool_schema_test.rs (schemas from signatures). One test per original test function,
// named after it. Each case has its own project with HOME inside it (no ~/.runfile unless
// the case writes one), like the originals' temporary directories.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { project, write, rawServer, serverEnv, sdkClient, textOf, RUN_BIN, sleep } from './helpers.mjs';

// run(p, args, env): the binary in the project directory; { status, stdout, stderr }.
function run(p, args, env = {}) {
    const r = spawnSync(RUN_BIN, args, {
        cwd: p.dir, env: serverEnv(p, env), encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'],
    });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

// inspect(p): `run --inspect` must succeed and print JSON; returns the parsed document.
function inspect(p, env) {
    const r = run(p, ['--inspect'], env);
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout);
}

function withProject(t, files) {
    const p = project(files);
    t.after(p.cleanup);
    return p;
}

// The originals started the server, wrote lines, slept 500 ms, killed it and read stdout.
async function serveFor(p, lines, ms = 500) {
    const child = spawn(RUN_BIN, ['--serve-mcp'], { cwd: p.dir, env: serverEnv(p), stdio: 'pipe' });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    const exited = new Promise((resolve) => child.on('exit', resolve));
    for (const l of lines) child.stdin.write(JSON.stringify(l) + '\n');
    await sleep(ms);
    child.kill('SIGKILL');
    await exited;
    return { stdout, stderr };
}

const SCALE_LEGACY = `
# @desc Scale a specific service
# @arg 1:service string The name of the docker service
# @arg 2:replicas integer The number of instances to spin up
scale() docker compose scale $1=$2
`;

// --- rfc003_mcp_test.rs / mcp_server_test.rs ---------------------------------------------

test('test_parse_desc_attribute', (t) => {
    const p = withProject(t, { Runfile: `
# @desc Restarts the docker containers and tails the logs
restart() docker compose restart
` });
    const r = run(p, ['--list'], { RUN_NO_GLOBAL_MERGE: '1' });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /restart/);
});

test('test_parse_arg_attribute', (t) => {
    const p = withProject(t, { Runfile: SCALE_LEGACY });
    const r = run(p, ['--list'], { RUN_NO_GLOBAL_MERGE: '1' });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /scale/);
});

test('test_function_with_desc_and_args_still_executable', (t) => {
    const p = withProject(t, { Runfile: `
# @desc Greet a person
# @arg 1:name string The person's name
greet() echo "Hello, $1!"
` });
    const r = run(p, ['greet', 'World']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /Hello, World!/);
});

test('test_inspect_flag_exists', (t) => {
    const p = withProject(t, { Runfile: `
# @desc Test function
test() echo "test"
` });
    const r = run(p, ['--inspect']);
    assert.equal(r.status, 0, r.stderr);
    assert.doesNotMatch(r.stderr.toLowerCase(), /unrecognized|unexpected/);
    assert.deepEqual(JSON.parse(r.stdout).tools.map((x) => x.name), ['test']);
});

test('test_inspect_output_json_structure', (t) => {
    const p = withProject(t, { Runfile: SCALE_LEGACY });
    const json = inspect(p);
    assert.equal(json.tools.length, 1);
    const tool = json.tools[0];
    assert.equal(tool.name, 'scale');
    assert.equal(tool.description, 'Scale a specific service');
    const schema = tool.inputSchema;
    assert.equal(schema.type, 'object');
    assert.equal(schema.properties.service.type, 'string');
    assert.equal(schema.properties.replicas.type, 'integer');
    assert.equal(schema.required.length, 2);
    assert.ok(schema.required.includes('service'));
    assert.ok(schema.required.includes('replicas'));
});

test('test_inspect_function_without_metadata', (t) => {
    const p = withProject(t, { Runfile: '\nbuild() echo "Building..."\n' });
    assert.deepEqual(inspect(p).tools, []);
});

test('test_inspect_multiple_functions', (t) => {
    const p = withProject(t, { Runfile: `
# @desc Build the project
build() echo "Building..."

# @desc Deploy to environment
# @arg 1:env string Target environment
deploy() echo "Deploying to $1"
` });
    const tools = inspect(p).tools;
    assert.equal(tools.length, 2);
    const names = tools.map((x) => x.name);
    assert.ok(names.includes('build'));
    assert.ok(names.includes('deploy'));
});

test('test_inspect_arg_with_boolean_type', (t) => {
    const p = withProject(t, { Runfile: `
# @desc Test function with boolean
# @arg 1:verbose boolean Enable verbose output
test() echo "Verbose: $1"
` });
    assert.equal(inspect(p).tools[0].inputSchema.properties.verbose.type, 'boolean');
});

test('test_inspect_with_os_filtered_functions', (t) => {
    const p = withProject(t, { Runfile: `
# @os unix
# @desc Unix-only function
unix_func() echo "Unix"

# @os windows
# @desc Windows-only function
win_func() echo "Windows"
` });
    const tools = inspect(p).tools;
    assert.equal(tools.length, 1);
    assert.equal(tools[0].name, 'unix_func');
});

test('test_serve_mcp_flag_exists', async (t) => {
    const p = withProject(t);
    const r = await serveFor(p, [], 100);
    assert.doesNotMatch(r.stderr.toLowerCase(), /unrecognized/);
});

test('test_mcp_initialize_request', async (t) => {
    const p = withProject(t, { Runfile: '\n# @desc Test function\ntest() echo "test"\n' });
    const r = await serveFor(p, [{
        jsonrpc: '2.0', id: 1, method: 'initialize',
        params: {
            protocolVersion: '2024-11-05', capabilities: {},
            clientInfo: { name: 'test-client', version: '1.0.0' },
        },
    }]);
    assert.ok(r.stdout.includes('"jsonrpc":"2.0"'), r.stdout);
    const msg = JSON.parse(r.stdout.split('\n')[0]);
    assert.equal(msg.id, 1);
    assert.equal(msg.result.protocolVersion, '2024-11-05');
    assert.equal(msg.result.serverInfo.name, 'run');
});

test('test_mcp_tools_list_request', async (t) => {
    const p = withProject(t, { Runfile: `
# @desc Scale a service
# @arg 1:service string The service name
scale() echo "Scaling $1"
` });
    const r = await serveFor(p, [
        {
            jsonrpc: '2.0', id: 1, method: 'initialize',
            params: { protocolVersion: '2024-11-05', capabilities: {}, clientInfo: { name: 'test', version: '1.0' } },
        },
        { jsonrpc: '2.0', id: 2, method: 'tools/list', params: {} },
    ]);
    const list = r.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l)).find((m) => m.id === 2);
    assert.ok(list, r.stdout);
    assert.ok(list.result.tools.some((x) => x.name === 'scale'), r.stdout);
});

// Beyond the original (which only listed): the legacy @arg tool runs with its argument.
test('test_mcp_tools_list_request (call through the official client)', async (t) => {
    const p = withProject(t, { Runfile: `
# @desc Scale a service
# @arg 1:service string The service name
scale() echo "Scaling $1"
` });
    const { client } = await sdkClient(p);
    t.after(() => client.close());
    const names = (await client.listTools()).tools.map((x) => x.name);
    assert.deepEqual(names, ['scale', 'set_cwd', 'get_cwd', 'run_docs']);
    const res = await client.callTool({ name: 'scale', arguments: { service: 'web' } });
    assert.equal(res.isError, false);
    assert.match(textOf(res), /Scaling web\n/);
});

const GLOBAL_AND_PROJECT = (p, global, proj) => {
    write(p.home, '.runfile', global);
    write(p.dir, 'Runfile', proj);
};

test('test_mcp_inspect_includes_global_tools', (t) => {
    const p = withProject(t);
    GLOBAL_AND_PROJECT(p, '\n# @desc Global MCP tool\nglobal_tool() {\n    echo "Global tool"\n}\n',
        '\n# @desc Project MCP tool\nproject_tool() {\n    echo "Project tool"\n}\n');
    const names = inspect(p).tools.map((x) => x.name);
    assert.equal(names.length, 2);
    assert.ok(names.includes('global_tool'));
    assert.ok(names.includes('project_tool'));
});

test('test_mcp_project_overrides_global', (t) => {
    const p = withProject(t);
    GLOBAL_AND_PROJECT(p,
        '\n# @desc Shared tool from project (overrides global)\nshared_tool() {\n    echo "Global version"\n}\n',
        '\n# @desc Shared tool from project (overrides global)\nshared_tool() {\n    echo "Project version"\n}\n');
    const tools = inspect(p).tools;
    assert.equal(tools.length, 1, JSON.stringify(tools));
    assert.equal(tools[0].name, 'shared_tool');
    assert.equal(tools[0].description, 'Shared tool from project (overrides global)');
});

// --- rfc004_mcp_integration.rs / mcp_tool_schema_test.rs ---------------------------------

test('test_mcp_inspect_with_params', (t) => {
    const p = withProject(t, { Runfile: `
# @desc Deploy application to environment
deploy(env, version = "latest") {
    echo "Deploying $version to $env"
}
` });
    const tools = inspect(p, { RUN_NO_GLOBAL_MERGE: '1' }).tools;
    assert.equal(tools.length, 1);
    assert.equal(tools[0].name, 'deploy');
    assert.equal(tools[0].description, 'Deploy application to environment');
    const props = tools[0].inputSchema.properties;
    assert.equal(typeof props.env, 'object');
    assert.equal(typeof props.version, 'object');
    assert.deepEqual(tools[0].inputSchema.required, ['env']);
});

test('test_mcp_inspect_with_rest_params', (t) => {
    const p = withProject(t, { Runfile: `
# @desc Run command in container
docker_exec(container, ...command) {
    docker exec $container $command
}
` });
    const tool = inspect(p).tools[0];
    assert.equal(tool.inputSchema.properties.container.type, 'string');
    assert.equal(tool.inputSchema.properties.command.type, 'array');
    assert.deepEqual(tool.inputSchema.required, ['container']);
});

test('test_mcp_inspect_hybrid_mode_with_descriptions', (t) => {
    const p = withProject(t, { Runfile: `
# @desc Scale a service
# @arg service The service to scale
# @arg replicas Number of instances
scale(service, replicas: int = 1) {
    docker compose scale $service=$replicas
}
` });
    const tool = inspect(p).tools[0];
    const props = tool.inputSchema.properties;
    assert.equal(props.service.type, 'string');
    assert.equal(props.replicas.type, 'integer');
    assert.equal(props.service.description, 'The service to scale');
    assert.equal(props.replicas.description, 'Number of instances');
    assert.deepEqual(tool.inputSchema.required, ['service']);
});

test('test_mcp_inspect_backward_compatibility', (t) => {
    const p = withProject(t, { Runfile: `
# @desc Restart services
# @arg 1:service string The service name
restart() {
    docker compose restart $1
}
` });
    const tool = inspect(p).tools[0];
    assert.equal(tool.inputSchema.properties.service.type, 'string');
    assert.equal(tool.inputSchema.properties.service.description, 'The service name');
    assert.deepEqual(tool.inputSchema.required, ['service']);
});

test('test_mcp_inspect_multiple_functions', (t) => {
    const p = withProject(t, { Runfile: `
# @desc Deploy application
deploy(env, version = "latest") {
    echo "Deploying $version to $env"
}

# @desc Scale service
scale(service, replicas: int = 1) {
    docker compose scale $service=$replicas
}

# Function without description - should not appear in MCP
build() {
    docker compose build
}
` });
    const names = inspect(p).tools.map((x) => x.name);
    assert.equal(names.length, 2);
    assert.ok(names.includes('deploy'));
    assert.ok(names.includes('scale'));
});

test('test_mcp_inspect_optional_arg_suffix', (t) => {
    const p = withProject(t, { Runfile: `
# @desc Clone a repository
# @arg 1:url string Repository URL
# @arg 2:branch? string Optional branch name
clone() {
    git clone $1 \${2:+-b $2}
}
` });
    const tool = inspect(p).tools[0];
    const props = tool.inputSchema.properties;
    assert.equal(typeof props.url, 'object');
    assert.equal(typeof props.branch, 'object');
    assert.equal(props['branch?'], undefined);
    assert.deepEqual(tool.inputSchema.required, ['url']);
});

// --- mcp/mapping.rs unit tests (value_to_string), observed through tools/call -----------
// A string parameter receives each JSON value as argv text. Arrays and objects for a string
// parameter were pasted as JSON text by the original; argument validation (differences.md
// M8) rejects them before anything runs.

const ECHO_ARG = `
# @desc Print the value between brackets
show(v = "") printf '[%s]\\n' "$v"
`;

async function echoClient(t) {
    const p = withProject(t, { Runfile: ECHO_ARG });
    const { client } = await sdkClient(p);
    t.after(() => client.close());
    return client;
}

async function shown(client, value) {
    const res = await client.callTool({ name: 'show', arguments: { v: value } });
    assert.equal(res.isError, false, textOf(res));
    return textOf(res).split('\n')[1];
}

for (const [name, value, expected] of [
    ['test_value_to_string_string', 'hello', '[hello]'],
    ['test_value_to_string_number', 42, '[42]'],
    ['test_value_to_string_float', 1.23, '[1.23]'],
    ['test_value_to_string_bool_true', true, '[true]'],
    ['test_value_to_string_bool_false', false, '[false]'],
    ['test_value_to_string_null', null, '[]'],
]) {
    test(name, async (t) => {
        const client = await echoClient(t);
        assert.equal(await shown(client, value), expected);
    });
}

for (const [name, value] of [
    ['test_value_to_string_array', [1, 2, 3]],
    ['test_value_to_string_object', { key: 'value' }],
]) {
    test(`${name} (validated: M8)`, async (t) => {
        const client = await echoClient(t);
        const res = await client.callTool({ name: 'show', arguments: { v: value } });
        assert.equal(res.isError, true);
        assert.match(textOf(res), /^Invalid arguments for tool 'show': 'v' must be a string, got /);
    });
}

// --- mcp/tools.rs unit test, through tools/list -------------------------------------------
// The descriptions are this implementation's (mcp.md §14); the shapes are the original's.
test('test_get_builtin_tools', async (t) => {
    const p = withProject(t);
    const { client } = await sdkClient(p);
    t.after(() => client.close());
    const tools = (await client.listTools()).tools;
    const setCwd = tools.find((x) => x.name === 'set_cwd');
    assert.ok(setCwd, 'set_cwd tool should exist');
    assert.equal(setCwd.inputSchema.type, 'object');
    assert.equal(setCwd.inputSchema.properties.path.type, 'string');
    assert.deepEqual(setCwd.inputSchema.required, ['path']);
    const getCwd = tools.find((x) => x.name === 'get_cwd');
    assert.ok(getCwd, 'get_cwd tool should exist');
    assert.equal(getCwd.inputSchema.type, 'object');
    assert.deepEqual(getCwd.inputSchema.properties, {});
    assert.deepEqual(getCwd.inputSchema.required, []);
    const cwd = await client.callTool({ name: 'get_cwd', arguments: {} });
    assert.equal(textOf(cwd), p.dir);
});

// --- mcp/handlers.rs unit tests, through a raw JSON-RPC session ---------------------------
// Where mcp.md answers differently (set_cwd failures are isError results, differences.md
// M14; argument problems are validation failures, M8; the version is negotiated, M5), the
// expectation is the spec's and the test name says so.

async function rawSession(t, files, version = '2024-11-05') {
    const p = withProject(t, files);
    const s = rawServer(p);
    t.after(() => s.end());
    if (version) await s.initialize(version);
    return { p, s };
}

const call = (s, id, params) => s.request(id, 'tools/call', params);

test('test_handle_get_cwd', async (t) => {
    const { p, s } = await rawSession(t);
    const r = await call(s, 1, { name: 'get_cwd', arguments: {} });
    assert.equal(r.result.isError, false);
    assert.equal(r.result.content[0].text, p.dir);
});

test('test_handle_set_cwd', async (t) => {
    const { p, s } = await rawSession(t);
    const target = write(p.root, 'elsewhere/.keep', '');
    const dir = target.slice(0, -'/.keep'.length);
    const r = await call(s, 1, { name: 'set_cwd', arguments: { path: dir } });
    assert.equal(r.result.isError, false, JSON.stringify(r));
    assert.match(r.result.content[0].text, new RegExp(`^Working directory changed to ${dir}\n`));
    const g = await call(s, 2, { name: 'get_cwd', arguments: {} });
    assert.equal(g.result.content[0].text, dir);
});

test('test_handle_set_cwd_missing_path (validation failure: M8)', async (t) => {
    const { s } = await rawSession(t);
    const r = await call(s, 1, { name: 'set_cwd', arguments: {} });
    assert.equal(r.error.code, -32602);
    assert.equal(r.error.message, "Invalid arguments for tool 'set_cwd': missing required argument 'path'");
});

test('test_handle_set_cwd_invalid_path (isError result: M14)', async (t) => {
    const { s } = await rawSession(t);
    const r = await call(s, 1, { name: 'set_cwd', arguments: { path: '/non/existent/path/that/should/fail' } });
    assert.equal(r.result.isError, true);
    assert.equal(r.result.content[0].text,
        "Cannot change the working directory to '/non/existent/path/that/should/fail': No such file or directory");
    const g = await call(s, 2, { name: 'get_cwd', arguments: {} });
    assert.notEqual(g.result.content[0].text, '/non/existent/path/that/should/fail');
});

test('test_handle_tools_list_includes_builtin', async (t) => {
    const { s } = await rawSession(t);
    const r = await s.request(1, 'tools/list', {});
    const names = r.result.tools.map((x) => x.name);
    assert.ok(names.includes('set_cwd'));
    assert.ok(names.includes('get_cwd'));
});

test('test_handle_initialize (no params: the newest version, M5)', async (t) => {
    const { s } = await rawSession(t, {}, null);
    const r = await s.request(1, 'initialize');
    assert.equal(r.result.protocolVersion, '2025-11-25');
    assert.ok(r.result.capabilities);
    assert.equal(r.result.serverInfo.name, 'run');
    assert.ok(r.result.serverInfo.version.length > 0);
});

test('test_handle_initialize_with_params', async (t) => {
    const { s } = await rawSession(t, {}, null);
    const r = await s.request(1, 'initialize', {
        protocolVersion: '2024-11-05', capabilities: {}, clientInfo: { name: 'test', version: '1.0' },
    });
    assert.equal(r.result.protocolVersion, '2024-11-05');
});

test('test_handle_tools_call_missing_params', async (t) => {
    const { s } = await rawSession(t);
    const r = await s.request(1, 'tools/call');
    assert.equal(r.error.code, -32602);
    assert.equal(r.error.message, 'Invalid params: params must be an object');
});

test('test_handle_tools_call_missing_tool_name', async (t) => {
    const { s } = await rawSession(t);
    const r = await call(s, 1, { arguments: {} });
    assert.equal(r.error.code, -32602);
    assert.match(r.error.message, /Missing tool name/);
});

test('test_handle_tools_call_get_cwd_value', async (t) => {
    const { s } = await rawSession(t);
    const r = await call(s, 1, { name: 'get_cwd', arguments: {} });
    assert.equal(r.result.isError, false);
    assert.ok(r.result.content[0].text.length > 0);
});

test('test_handle_tools_call_set_cwd_nonexistent (isError result: M14)', async (t) => {
    const { s } = await rawSession(t);
    const r = await call(s, 1, { name: 'set_cwd', arguments: { path: '/this/path/should/not/exist/ever' } });
    assert.equal(r.result.isError, true);
});
