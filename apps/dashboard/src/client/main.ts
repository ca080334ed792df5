import { experimentPage } from './pages/experiment-page';
import { experimentsPage } from './pages/experiments-page';
import { runPage } from './pages/run-page';

/** The dashboard's pages: the server names the page and its subject on <body>. */
const app = document.getElementById('app') as HTMLElement;
const { page, id = '' } = document.body.dataset;
if (page === 'experiment') experimentPage(app, id);
else if (page === 'run') runPage(app, id);
else experimentsPage(app);
