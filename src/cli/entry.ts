// Process entry: run the CLI and set the exit code (tests spawn this through tsx; bin/ uses the built copy).
import { main } from './main.js'

await main()
