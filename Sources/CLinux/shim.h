// Linux calls that Glibc's Swift overlay does not export. Do not define _GNU_SOURCE here:
// it changes fd_set and clashes with the Dispatch module's view of it.
#include <sys/socket.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>

extern int accept4(int fd, struct sockaddr *address, socklen_t *length, int flags);
static inline int clinux_accept4(int fd, struct sockaddr *address, socklen_t *length, int flags) {
    return accept4(fd, address, length, flags);
}

// Hands the heap's free pages back to the system (glibc keeps them for reuse otherwise).
extern int malloc_trim(size_t pad);
static inline int clinux_malloc_trim(void) {
    return malloc_trim(0);
}
