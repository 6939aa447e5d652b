/** Where the hosts' sockets are on the jumphost unless told otherwise; its own module so that add/edit need not load the proxy. */
export const DEFAULT_SOCKET_DIR = '/home/host';

/** How long a shared jump connection stays open with no channel: like ControlPersist, on by default. */
export const DEFAULT_PERSIST = '10m';
