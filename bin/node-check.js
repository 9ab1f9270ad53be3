// The launcher's Node version check, apart so it can be tested. Plain old syntax on purpose: it must
// parse on the Node versions it rejects (Ubuntu 22.04 ships 12.22, Debian 12 18.20).
var MIN_NODE = [20, 5]

/** One line saying what is wrong and what to do, or undefined when this Node is new enough. */
function nodeVersionProblem(version, execPath) {
  var found = String(version).replace(/^v/, '').split('.').map(Number)
  if (found[0] > MIN_NODE[0] || (found[0] === MIN_NODE[0] && found[1] >= MIN_NODE[1])) return undefined
  return (
    'error: virtcheck needs Node.js >= ' +
    MIN_NODE.join('.') +
    ', found v' +
    found.join('.') +
    ' at ' +
    execPath +
    '; use the self-contained virtcheck executable (no Node needed: `npm run package`, or the release .deb/.tar.xz), or install Node.js 22 or 24 LTS'
  )
}

exports.MIN_NODE = MIN_NODE
exports.nodeVersionProblem = nodeVersionProblem
