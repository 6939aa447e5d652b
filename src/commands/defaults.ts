/** Where the hosts' sockets are on the jumphost unless told otherwise; its own module so that add/edit need not load the proxy. */
export const DEFAULT_SOCKET_DIR = '/home/host';
