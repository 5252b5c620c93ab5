/** The floor: a bare Hono Worker answering the shared body for any path, no cache, no origin. */
import { Hono } from 'hono';
import { PROJECTS_HEADERS, projectsBody } from '../body.ts';

const app = new Hono();
app.get('*', (c) => {
  const url = new URL(c.req.url);
  return c.body(projectsBody(url.pathname + url.search), 200, PROJECTS_HEADERS);
});

export default app;
