// Copied next to each transpiled component (so the shims resolve from there):
// grants the guest its environment, arguments, preopens and network, then runs it
// the way `jco run` does.
import process from "node:process";
import { _setArgs, _setCwd, _setEnv } from "@bytecodealliance/preview2-shim/cli";
import { _addPreopen, _setPreopens } from "@bytecodealliance/preview2-shim/filesystem";
import { _denyDnsLookup, _denyTcp, _denyUdp } from "@bytecodealliance/preview2-shim/sockets";

export async function main({ artifact, env, dirs, network, args }) {
  const name = artifact.split("/").pop();
  _setEnv(env);
  _setArgs([name, ...args]);
  _setCwd(undefined);
  _setPreopens({});
  for (const [guest, host] of dirs) _addPreopen(guest, host);
  if (!network) {
    _denyDnsLookup();
    _denyTcp();
    _denyUdp();
  }
  const component = await import("./component.js");
  // A WASIp3 command that also exports the WASIp2 run (as wasi-testsuite's do, whose p2 run
  // is a stub) runs through its p3 export; Jco's `run` alias names the p2 one there.
  const run = component["wasi:cli/run@0.3.0"] ?? component.run;
  if (!run?.run) {
    console.error("jco: not a command component (no wasi:cli/run export)");
    process.exit(1);
  }
  try {
    await run.run();
    await new Promise((resolve) => setTimeout(resolve));  // let stdout flush
    process.exit(0);
  } catch (error) {
    console.error(error);
    process.exit(1);
  }
}
