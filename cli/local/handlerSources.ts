/**
 * Where the local loop finds a reference handler's entry module: the package's own, as
 * `bundleHandler` bundles it — `handlers/<name>/index.ts` from this repository's sources (loaded
 * through the ts-node the command runs under), `dist/handlers/<name>/index.js` from the installed
 * package's build.
 */
import { handlerModule } from "../../components/handlerBundle";
import { packageRoot } from "../packageRoot";

/**
 * The absolute path of a reference handler's entry module, ready to `require`.
 *
 * @param name - the handler's folder under handlers/ (e.g. `thumbnail`).
 */
export function handlerSource(name: string): string {
  return handlerModule(packageRoot(), [name, "index"]);
}
