/**
 * Limits of the API that the edge and the origin enforce alike: the edge refuses what the origin
 * would refuse before forwarding it, so an oversized request never crosses to the origin.
 */

/** The largest request body the API reads (every body is a small JSON document). */
export const API_MAX_BODY_BYTES = 16 * 1024;
