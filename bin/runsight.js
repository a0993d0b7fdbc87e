#!/usr/bin/env node
// The installed `runsight` command. The CLI itself is built into dist/cli/ (electron/cli/vite.config.ts,
// `npm run build:cli`, run by `prepack`); this shim only makes sure the Node running it can run it.
//
// Runsight reads and writes MLflow's SQLite stores through Node's built-in `node:sqlite`, which
// exists without a flag from Node 22.13 / 23.4 on (and on 24+). On an older Node the CLI would die
// with a stack trace on its first import, so the shim checks first and says what to install.
// It does not re-exec with a Node of its own: that would mean shipping a ~50 MB Node binary per
// platform in every CI install, where one `actions/setup-node` line gives the right Node anyway.
// A flagged Node (22.5–22.12, 23.0–23.3 started with --experimental-sqlite) passes the check.
//
// Kept to syntax every Node since 14 parses, so the message is what an old Node prints.

var EXIT_USAGE = 2;

function tooOld() {
  process.stderr.write(
    'runsight: this needs Node.js 22.13 or newer (23.4+, 24+): it uses the built-in node:sqlite module, ' +
      'which Node ' + process.version + ' does not have.\n' +
      '  Install a current Node (https://nodejs.org, nvm install 24, or in GitHub Actions: ' +
      'actions/setup-node with node-version: 24) and run runsight again.\n',
  );
  process.exitCode = EXIT_USAGE;
}

// node:sqlite still announces itself as experimental on Node 22/23; that line on stderr of every
// command would read like a problem in CI logs.
var emitWarning = process.emitWarning;
process.emitWarning = function (warning, type) {
  var text = typeof warning === 'string' ? warning : warning && warning.message;
  var kind = typeof type === 'string' ? type : type && type.type;
  if ((kind === 'ExperimentalWarning' || (warning && warning.name === 'ExperimentalWarning')) && /SQLite/.test(String(text))) return;
  return emitWarning.apply(process, arguments);
};

import('node:sqlite').then(
  function () {
    return import('../dist/cli/main.js').catch(function (e) {
      if (!e || e.code !== 'ERR_MODULE_NOT_FOUND' || !/dist[\\/]cli[\\/]main\.js/.test(String(e.message))) throw e;
      // A git checkout run through `npm link` or `npx .` before anything was built.
      process.stderr.write('runsight: the command is not built in ' + new URL('..', import.meta.url).pathname + ': run `npm run build:cli` there first.\n');
      process.exitCode = 1;
    });
  },
  function (e) {
    if (e && (e.code === 'ERR_UNKNOWN_BUILTIN_MODULE' || e.code === 'ERR_UNKNOWN_MODULE_FORMAT' || /node:sqlite/.test(String(e.message)))) tooOld();
    else throw e;
  },
);
