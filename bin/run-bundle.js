// Runs dist/bundle/virtcheck.cjs (packaging/dist-bundle.mjs) with V8's code cache: compiling the
// 1.2 MB bundle and, later, each function a command calls cost ~30 ms of a ~130 ms probe on Node 20,
// which has no compile cache of its own (module.enableCompileCache is Node 22). The cache is written at
// exit, after the run, so it holds the functions that command used: one file per command and bundle
// path, keyed by the bundle's identity and the Node running it (V8 also rejects data from another V8 or other flags).
// It is executable code: used only from a folder and file owned by this user that no one else can write.
// Old syntax, like the launcher (it is parsed before the Node check runs).
var fs = require('fs')
var createRequire = require('module').createRequire
var os = require('os')
var path = require('path')
var Script = require('vm').Script
var dirname = path.dirname
var join = path.join

/** The command names of src/cli/commands/index.ts (a test keeps them equal); anything else is `main`. */
var COMMANDS = ['probe', 'bench', 'report', 'compare', 'ab', 'gate', 'history', 'capture', 'setup', 'cleanup']

var usableHome = function (h) {
  return !!h && path.isAbsolute(h) && h !== '/' && h !== '/nonexistent'
}

/** src/host/cache-dir.ts userCacheDir, in old syntax (a test keeps them equal). */
function userCacheDir(env, passwd) {
  if (env.VIRTCHECK_CACHE) return path.resolve(env.VIRTCHECK_CACHE)
  if (env.XDG_CACHE_HOME && path.isAbsolute(env.XDG_CACHE_HOME)) return join(env.XDG_CACHE_HOME, 'virtcheck')
  var home = usableHome(env.HOME) ? env.HOME : passwd()
  if (usableHome(home)) return join(home, '.cache', 'virtcheck')
  return join(os.tmpdir(), 'virtcheck-cache-' + (process.getuid ? process.getuid() : 'user'))
}

var passwdHome = function () {
  try {
    return os.userInfo().homedir
  } catch (_e) {
    return undefined
  }
}

/** FNV-1a of the bundle's path: two checkouts (or installs) keep a cache each instead of taking turns. */
var pathHash = function (text) {
  var h = 0x811c9dc5
  for (var i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0
  return ('0000000' + h.toString(16)).slice(-8)
}

/** The cache file's name: the command (the first word that is not a flag), or `main`. */
function cacheBucket(args) {
  for (var i = 0; i < args.length; i++) if (args[i].charAt(0) !== '-') return COMMANDS.indexOf(args[i]) >= 0 ? args[i] : 'main'
  return 'main'
}

var ownedByMe = function (p) {
  var s = fs.statSync(p)
  return (!process.getuid || s.uid === process.getuid()) && (s.mode & 0o022) === 0
}

var readCache = function (file, key) {
  try {
    if (!ownedByMe(dirname(file)) || !ownedByMe(file)) return undefined
    var data = fs.readFileSync(file)
    var nl = data.indexOf(10)
    return nl > 0 && data.toString('utf8', 0, nl) === key ? data.subarray(nl + 1) : undefined
  } catch (_e) {
    return undefined
  }
}

var writeCache = function (file, key, bytes) {
  try {
    fs.mkdirSync(dirname(file), { recursive: true, mode: 0o700 })
    if (!ownedByMe(dirname(file))) return
    var tmp = file + '.' + process.pid + '.tmp'
    fs.writeFileSync(tmp, Buffer.concat([Buffer.from(key + '\n'), bytes]), { mode: 0o600 })
    fs.chmodSync(tmp, 0o600)
    fs.renameSync(tmp, file)
  } catch (_e) {
    // a read-only or full cache folder only costs speed
  }
}

/** Runs the CommonJS bundle `file` as Node's loader would, with the code cache unless VIRTCHECK_CODE_CACHE=0. */
function runBundle(file) {
  var source = fs.readFileSync(file, 'utf8')
  var st = fs.statSync(file)
  var key = JSON.stringify([1, process.version, process.arch, st.size, st.mtimeMs, st.ino])
  var cacheFile =
    process.env.VIRTCHECK_CODE_CACHE === '0'
      ? undefined
      : join(userCacheDir(process.env, passwdHome), 'code-cache', cacheBucket(process.argv.slice(2)) + '-' + pathHash(file) + '.bin')
  var cached = cacheFile ? readCache(cacheFile, key) : undefined
  // the wrapper stays on the first line, so line numbers in stack traces are the bundle's
  var script = new Script('(function (exports, require, module, __filename, __dirname) {' + source + '\n})', {
    filename: file,
    cachedData: cached,
  })
  if (cacheFile && (cached === undefined || script.cachedDataRejected))
    process.once('exit', function () {
      writeCache(cacheFile, key, script.createCachedData())
    })
  var mod = { exports: {} }
  script.runInThisContext().call(mod.exports, mod.exports, createRequire(file), mod, file, dirname(file))
}

exports.COMMANDS = COMMANDS
exports.userCacheDir = userCacheDir
exports.cacheBucket = cacheBucket
exports.runBundle = runBundle
