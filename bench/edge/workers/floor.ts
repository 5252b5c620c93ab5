/** The floor: a bare Hono Worker answering a constant JSON body, no cache, no origin. */
import { Hono } from 'hono';

const app = new Hono();
const body = { data: [{ id: '1a000000-0000-4000-8000-000000000001', name: 'Website Redesign' }] };
app.get('*', (c) => c.json(body, 200, { 'cache-control': 'public, s-maxage=3600' }));

export default app;
