import { get } from './get.js';
import { getSustained } from './get-sustained.js';
import { search } from './search.js';
import type { Measure } from './types.js';
import { mcpSearch, mcpStdioInit } from './mcp.js';
import { cliStartup } from './cli-startup.js';
import { authCredentials } from './auth-credentials.js';
import { webApp } from './web.js';
import { agentContext } from './agent-context.js';
import { disk } from './disk.js';
import { workers } from './workers.js';

/** Every measurement, in the order they run. Add new ones here (see bench/README.md). */
export const measures: Measure[] = [search, get, getSustained, mcpSearch, agentContext, mcpStdioInit, cliStartup, authCredentials, webApp, workers, disk];
