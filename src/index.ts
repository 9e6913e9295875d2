// The app's entry (package.json `main`): importing a registration file registers its functions.
import "./functions/http";
import "./functions/orchestrator";
import "./functions/activities";
import "./functions/fleet";
import "./functions/jobDurations";
import "./functions/eventGrid";
import "./functions/retention";
import "./functions/batches";
import "./functions/blobWindows";
import "./functions/console";
