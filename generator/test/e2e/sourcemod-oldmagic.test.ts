/**
 * The end-to-end group (suite.ts) on the oldmagic socket extension: the generated websocket.smx
 * and consumer plugins in a real SourceMod, against real ws and socket.io servers. Skipped,
 * with the reason as the test's name, where the environment (SPGEN_SM_ROOT, /opt/spgen-e2e)
 * is missing.
 */
import { defineSourceModSuite } from "./suite.js";

defineSourceModSuite("oldmagic");
