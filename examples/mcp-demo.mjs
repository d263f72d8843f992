#!/usr/bin/env node
// Drive `run --serve-mcp` with the official MCP SDK client: list the tools of
// examples/Runfile and call two of them.
//
//   make deps                    # installs the SDK into test/mcp/node_modules
//   node examples/mcp-demo.mjs   # uses build/run if it exists, else `run` from PATH
//
// RUN_BIN=/path/to/run overrides the binary.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');

// The SDK is installed for the MCP tests in test/mcp/node_modules; fall back to a normal
// lookup from this directory (for example after `npm install @modelcontextprotocol/sdk`).
function loadSdk(path) {
    const bases = [join(root, 'test', 'mcp', 'package.json'), import.meta.url];
    for (const base of bases) {
        try {
            return createRequire(base)(`@modelcontextprotocol/sdk/${path}`);
        } catch (err) {
            if (err.code !== 'MODULE_NOT_FOUND') throw err;
        }
    }
    console.error('mcp-demo: @modelcontextprotocol/sdk not found; run `make deps` first.');
    process.exit(1);
}
const { Client } = loadSdk('client/index.js');
const { StdioClientTransport } = loadSdk('client/stdio.js');

const built = join(root, 'build', 'run');
const runBin = process.env.RUN_BIN || (existsSync(built) ? built : 'run');
const runfile = join(here, 'Runfile');

const transport = new StdioClientTransport({
    command: runBin,
    args: ['--runfile', runfile, '--serve-mcp'],
    cwd: here,
    stderr: 'inherit',
});
const client = new Client({ name: 'run-mcp-demo', version: '1.0.0' });

try {
    await client.connect(transport);
    const info = client.getServerVersion();
    console.log(`connected to ${info.name} ${info.version}\n`);

    const { tools } = await client.listTools();
    console.log('tools:');
    for (const tool of tools) {
        const props = Object.keys(tool.inputSchema.properties ?? {});
        console.log(`  ${tool.name}(${props.join(', ')})  ${tool.description ?? ''}`);
    }

    const call = async (name, args) => {
        console.log(`\ncall ${name} ${JSON.stringify(args)}:`);
        const result = await client.callTool({ name, arguments: args });
        for (const item of result.content) {
            if (item.type === 'text') console.log(item.text.trimEnd());
        }
        console.log(`isError: ${result.isError === true}`);
    };
    await call('greet', { name: 'MCP', loud: 'yes' });
    // A value is data, never code: the words are counted, nothing is executed.
    await call('words', { text: '$(rm -rf ~) --list; echo pwned' });
} catch (err) {
    console.error(`mcp-demo: ${err.message} (server: ${runBin})`);
    process.exitCode = 1;
} finally {
    await client.close();
}
