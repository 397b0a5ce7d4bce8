// Runs a WASI command (a component, or a core module wrapped into one) on Node.js
// through Jco, transpiling each artifact once into a persistent cache directory.
//
//   node jco_run.mjs ARTIFACT CACHE_DIR [--env K=V]... [--dir GUEST::HOST]... [--network]
//                    [--exceptions] -- ARGS...
//
// The guest gets exactly the given environment, preopens and arguments, and no
// sockets unless --network is given. --exceptions: the guest uses exception handling
// (built with panic=unwind), which Jco transpiles only when asked. A Jco failure to wrap or transpile prints
// "jco: failed to transpile: ..." and exits 1 (the plugin reads it as a load error).
import { execFileSync } from "node:child_process";
import {
  copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync,
  symlinkSync, writeFileSync,
} from "node:fs";
import { dirname, join } from "node:path";
import process from "node:process";
import { pathToFileURL } from "node:url";

const NODE_MODULES = "/opt/jco/node_modules";
const READY = ".ready";

function parse(argv) {
  const [artifact, cacheDir, ...rest] = argv;
  const options = { artifact, cacheDir, env: {}, dirs: [], network: false, exceptions: false, args: [] };
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    if (arg === "--") { options.args = rest.slice(i + 1); break; }
    if (arg === "--network") { options.network = true; continue; }
    if (arg === "--exceptions") { options.exceptions = true; continue; }
    const value = rest[++i];
    if (arg === "--env") {
      const at = value.indexOf("=");
      options.env[value.slice(0, at)] = value.slice(at + 1);
    } else if (arg === "--dir") {
      const [guest, host] = value.split("::");
      options.dirs.push([guest, host]);
    } else {
      throw new Error(`unknown option ${arg}`);
    }
  }
  return options;
}

function isCoreModule(path) {
  const header = readFileSync(path).subarray(4, 8);
  return header[0] === 1 && header[1] === 0 && header[2] === 0 && header[3] === 0;
}

async function prepare(artifact, cacheDir, exceptions) {
  if (existsSync(join(cacheDir, READY))) return;
  mkdirSync(dirname(cacheDir), { recursive: true });
  const staging = mkdtempSync(`${cacheDir}.tmp-`);
  try {
    let component = artifact;
    if (isCoreModule(artifact)) {
      component = join(staging, "component.wasm");
      execFileSync("jco", ["new", artifact, "--wasi-command", "-o", component],
                   { stdio: ["ignore", "ignore", "inherit"] });
    }
    const { transpileCmd } = await import(
      `${NODE_MODULES}/@bytecodealliance/jco/dist/cmd/transpile.js`);
    await transpileCmd(component, {
      name: "component", quiet: true, noTypescript: true, wasiShim: true, outDir: staging,
      // a guest built with panic=unwind uses exception handling (the exnref encoding)
      ...(exceptions ? { bindgenEnableWasmExnref: true } : {}),
    });
    writeFileSync(join(staging, "package.json"), '{"type": "module"}\n');
    symlinkSync(NODE_MODULES, join(staging, "node_modules"));
    copyFileSync(new URL("./jco_guest.mjs", import.meta.url), join(staging, "guest.mjs"));
    writeFileSync(join(staging, READY), "");
    try {
      renameSync(staging, cacheDir);
    } catch (error) {
      if (!existsSync(join(cacheDir, READY))) throw error;  // else another cell won the race
      rmSync(staging, { recursive: true, force: true });
    }
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw error;
  }
}

const options = parse(process.argv.slice(2));
try {
  await prepare(options.artifact, options.cacheDir, options.exceptions);
} catch (error) {
  console.error(`jco: failed to transpile: ${error?.stack ?? error}`);
  process.exit(1);
}
const guest = await import(pathToFileURL(join(options.cacheDir, "guest.mjs")));
await guest.main(options);
