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

// Closes every descriptor from `from` up in a posix_spawn child (glibc 2.34+; declared by spawn.h only with
// _GNU_SOURCE, which this header must not define).
#include <spawn.h>
extern int posix_spawn_file_actions_addclosefrom_np(posix_spawn_file_actions_t *actions, int from);
static inline int clinux_spawn_close_from(posix_spawn_file_actions_t *actions, int from) {
    return posix_spawn_file_actions_addclosefrom_np(actions, from);
}
