import { render } from 'preact';
import { App } from './App.js';

// The page's entry: bundleDashboard.ts bundles from here into app.js.
const root = document.getElementById('app');
if (root === null) throw new Error('index.html has no element with id "app" to render the dashboard into.');
render(<App />, root);
