import { render } from 'preact';
import { App } from '../../app/app.js';
import '../../app/app.css';

// The memory browser: one page for every view (/, /tree/…, /memory/<id>, /search, /trash, /activity,
// /settings/…, /invite/<token>, /connections); server/http/web.ts serves it at each of those URLs.
render(<App />, document.getElementById('app')!);
