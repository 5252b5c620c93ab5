/**
 * The response header in which the origin tells the edge that a request carried a live session
 * of a tenant; its value is that tenant. The edge charges a tenant's hourly quota only for
 * requests the origin confirmed this way (the edge cannot check a bearer token itself), strips
 * the header, and never lets a client's copy count: only the origin's response can carry it.
 */
export const SESSION_TENANT_HEADER = 'x-strata-session-tenant';
