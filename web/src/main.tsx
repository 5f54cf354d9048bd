import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App.tsx";
import { initialLang, loadLanguage } from "./i18n.ts";

// The chosen language's words first (English is its own chunk), then the app: no flash of the other.
void loadLanguage(initialLang()).finally(() =>
  createRoot(document.getElementById("root")!).render(
    <StrictMode>
      <App />
    </StrictMode>,
  ),
);
