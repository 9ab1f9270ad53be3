// Process entry: run the CLI and set the exit code (tests spawn this through tsx; bin/ runs the built bundle;
// the packaged executable bundles it as CommonJS, which has no top-level await: main() sets the exit code).
import { main } from './main.js'

void main()
