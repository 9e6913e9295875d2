/** The runs console (docs/console.md). The server tells the page its mode through <body>'s data attributes. */
import { render } from "preact";
import { App } from "./app";
import "./styles.css";

const body = document.body.dataset;
render(<App readOnly={body.readOnly === "true"} settingsProblem={body.settingsProblem ? body.settingsProblem : null} />, document.getElementById("app")!);
