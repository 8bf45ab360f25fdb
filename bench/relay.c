/*
 * A delaying DNS relay in C: relay.py's behaviour at a third to a half of its CPU.
 *
 *   relay [--loss=P] [--slot=S] PORT UPSTREAM_PORT DELAY ADDRESS...
 *
 * Listens on ADDRESS#PORT (UDP and TCP) for each address and relays to the
 * server on ADDRESS#UPSTREAM_PORT. Questions go through at once; answers are
 * held DELAY seconds, in the order they came, then sent to the client's
 * address and port on the next boundary of S seconds (default 1 ms, see
 * SLOT; relay.py has no --slot). With --loss a share P of answers is dropped
 * on purpose, reproducibly (a fixed-seed PRNG). Prints "ready" once listening and, on
 * SIGTERM or SIGINT, one line "stats {...}" (JSON) with the same keys as
 * relay.py: questions, answers, dropped_on_purpose, unmatched, unanswered,
 * kernel_drops (SO_RXQ_OVFL), tcp, send_errors, id_reused. Unlike relay.py
 * every key is printed, zero or not.
 *
 * relay.py is the readable reference; this is the same design. Over UDP each
 * address has one upstream socket and the relay gives each question a message
 * ID of its own (the client's ID is put back in the answer). One thread runs
 * epoll over the front sockets, a timerfd (the head of the FIFO of held answers,
 * sorted by due time) and a signalfd; datagrams are read with recvmmsg and
 * written with sendmmsg. Answers from upstream are read when the relay is awake
 * anyway, and held from their arrival (the kernel's timestamp); see "lazy" in
 * main. TCP is rare: a thread per connection, one question each, like relay.py.
 *
 * Build: cc -O2 -Wall -Wextra -std=c11 -pthread -o relay relay.c
 * (bench/topology.py does, once a run).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#ifndef SO_RXQ_OVFL
#define SO_RXQ_OVFL 40
#endif
#ifndef SO_RCVBUFFORCE
#define SO_RCVBUFFORCE 33
#endif
#ifndef SO_SNDBUFFORCE
#define SO_SNDBUFFORCE 32
#endif

#define HEADER 12         /* a DNS message header; anything shorter is dropped */
#define BUFFER (1 << 23)  /* socket buffer size asked for */
#define BATCH 64          /* datagrams per recvmmsg / sendmmsg */
#define DATAGRAM 65536    /* largest datagram read */
#define ROUNDS 8          /* recvmmsg batches per socket per wake-up, then the others' turn */
/*
 * Held answers leave on SLOT boundaries (1 ms): each answer is 0-1 ms later than
 * DELAY, as with relay.py (whose epoll timeout is in whole ms). Sending each answer
 * at its exact time wakes the relay and the client once an answer or so, and on
 * loopback the sender pays for waking the receiver: with 64 questions in flight,
 * --slot=0 cost about 1.4 times the CPU a question of 1 ms slots, for a median
 * lateness of 0.3-0.4 ms instead of 0.8 (bench/README.md has the figures).
 */
#define SLOT 0.001
#define TAG_FRONT ((uint64_t)1)
#define TAG_UP ((uint64_t)2)
#define TAG_TIMER ((uint64_t)3)
#define TAG_SIGNAL ((uint64_t)4)

struct pending {                /* a question in flight, by the relay's message ID */
    struct sockaddr_in client;
    uint16_t client_id;         /* network byte order, as on the wire */
    uint8_t used;
};

struct address {                /* one relayed address: its front socket, its upstream socket */
    struct in_addr ip;
    int front, up, listener;
    uint16_t next_id;
    uint32_t drops[2];          /* latest SO_RXQ_OVFL count of front and up */
    struct pending *pending;    /* 65,536 entries */
    int out;                    /* answers gathered for the front socket, in msgs_out/iovs_out */
    struct mmsghdr msgs_out[BATCH];
    struct iovec iovs_out[BATCH];
};

struct held {                   /* an answer waiting for its time */
    int64_t due;                /* CLOCK_MONOTONIC, ns */
    int origin;                 /* the address index: its front socket sends the answer */
    struct sockaddr_in client;
    uint16_t len;
    unsigned char *data;
};

static struct {                 /* the FIFO of held answers: a ring that grows */
    struct held *items;
    size_t head, count, size;
} later;

static struct {
    uint64_t questions, answers, dropped_on_purpose, unmatched, unanswered, send_errors, id_reused;
    atomic_ullong tcp;
} stats;
static atomic_int tcp_active;   /* TCP exchanges under way: the stats wait for them */

static struct address *addresses;
static int n_addresses;
static int64_t delay_ns, slot_ns;
static double delay_s, loss;
static uint16_t port, upstream_port;
static uint64_t prng = 11; /* splitmix64, seed 11: reproducible loss, not security */

static unsigned char buffers[BATCH][DATAGRAM];
static struct mmsghdr msgs[BATCH];
static struct iovec iovs[BATCH];
static struct sockaddr_in names[BATCH];
static int64_t stamps[BATCH];  /* each datagram's arrival (CLOCK_REALTIME, ns), or 0 */
static union {
    char buf[CMSG_SPACE(sizeof(uint32_t)) + CMSG_SPACE(sizeof(struct timespec))];
    size_t align; /* a cmsghdr's alignment */
} controls[BATCH];

static void die(const char *what) {
    fprintf(stderr, "relay: %s: %s\n", what, strerror(errno));
    exit(1);
}

static double uniform(void) {
    uint64_t z = (prng += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    z ^= z >> 31;
    return (double)(z >> 11) * 0x1.0p-53;
}

static int64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void big_buffers(int fd) {
    int size = BUFFER;
    /* as relay.py: ask, then force (which only root may); either may fail */
    (void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
    (void)setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size);
    (void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
    (void)setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof size);
}

static struct sockaddr_in endpoint(struct in_addr ip, uint16_t p) {
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_addr = ip;
    sa.sin_port = htons(p);
    return sa;
}

/* ---- TCP: a thread per connection, one question, the answer DELAY late ---- */

static int io_all(int fd, unsigned char *buf, size_t len, int sending) {
    size_t done = 0;
    while (done < len) {
        ssize_t n = sending ? send(fd, buf + done, len - done, MSG_NOSIGNAL)
                            : recv(fd, buf + done, len - done, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        done += (size_t)n;
    }
    return 0;
}

static void timeouts(int fd) {
    struct timeval tv = {10, 0}; /* a silent peer frees its thread after 10 s */
    (void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    (void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

struct connection {
    int conn;
    struct in_addr ip;
};

static void *tcp_relay(void *arg) {
    struct connection c = *(struct connection *)arg;
    free(arg);
    unsigned char *buf = malloc(2 + 65535);
    int up = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in server = endpoint(c.ip, upstream_port);
    timeouts(c.conn);
    if (buf && up >= 0) {
        timeouts(up);
        size_t len;
        if (connect(up, (struct sockaddr *)&server, sizeof server) == 0
            && io_all(c.conn, buf, 2, 0) == 0
            && io_all(c.conn, buf + 2, len = (size_t)buf[0] << 8 | buf[1], 0) == 0
            && io_all(up, buf, 2 + len, 1) == 0
            && io_all(up, buf, 2, 0) == 0
            && io_all(up, buf + 2, len = (size_t)buf[0] << 8 | buf[1], 0) == 0) {
            struct timespec held_for = {(time_t)delay_s, (long)(delay_ns % 1000000000LL)};
            while (nanosleep(&held_for, &held_for) != 0 && errno == EINTR) {
            }
            if (io_all(c.conn, buf, 2 + len, 1) == 0)
                atomic_fetch_add(&stats.tcp, 1);
        }
    }
    if (up >= 0)
        close(up);
    close(c.conn);
    free(buf);
    atomic_fetch_sub(&tcp_active, 1);
    return NULL;
}

static void *tcp_accept(void *arg) {
    struct address *a = arg;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize(&attr, 1 << 16);
    for (;;) {
        int conn = accept(a->listener, NULL, NULL);
        if (conn < 0) {
            if (errno == EINTR || errno == ECONNABORTED || errno == EMFILE || errno == ENFILE)
                continue;
            return NULL;
        }
        struct connection *c = malloc(sizeof *c);
        pthread_t thread;
        if (!c) {
            close(conn);
            continue;
        }
        c->conn = conn;
        c->ip = a->ip;
        atomic_fetch_add(&tcp_active, 1);
        if (pthread_create(&thread, &attr, tcp_relay, c) != 0) {
            atomic_fetch_sub(&tcp_active, 1);
            close(conn);
            free(c);
        }
    }
}

/* ---- UDP ---- */

static int make_udp(void) {
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    int on = 1;
    if (fd < 0)
        die("socket");
    big_buffers(fd);
    if (setsockopt(fd, SOL_SOCKET, SO_RXQ_OVFL, &on, sizeof on) != 0)
        die("SO_RXQ_OVFL");
    if (setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on) != 0)
        die("SO_TIMESTAMPNS");
    return fd;
}

static void add(int epoll, int answers_epoll, int index, const char *text) {
    struct address *a = &addresses[index];
    struct sockaddr_in sa;
    struct epoll_event ev;
    pthread_t thread;
    int on = 1;
    if (inet_pton(AF_INET, text, &a->ip) != 1) {
        fprintf(stderr, "relay: not an IPv4 address: %s\n", text);
        exit(2);
    }
    a->pending = calloc(65536, sizeof *a->pending);
    if (!a->pending)
        die("calloc");
    a->front = make_udp();
    sa = endpoint(a->ip, port);
    if (bind(a->front, (struct sockaddr *)&sa, sizeof sa) != 0)
        die(text);
    a->up = make_udp();
    sa = endpoint(a->ip, upstream_port);
    if (connect(a->up, (struct sockaddr *)&sa, sizeof sa) != 0)
        die(text);
    ev.events = EPOLLIN;
    ev.data.u64 = TAG_FRONT << 32 | (uint64_t)index;
    if (epoll_ctl(epoll, EPOLL_CTL_ADD, a->front, &ev) != 0)
        die("epoll_ctl");
    ev.data.u64 = TAG_UP << 32 | (uint64_t)index;
    if (epoll_ctl(answers_epoll, EPOLL_CTL_ADD, a->up, &ev) != 0)
        die("epoll_ctl");
    a->listener = socket(AF_INET, SOCK_STREAM, 0);
    if (a->listener < 0)
        die("socket");
    (void)setsockopt(a->listener, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    sa = endpoint(a->ip, port);
    if (bind(a->listener, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(a->listener, 128) != 0)
        die(text);
    if (pthread_create(&thread, NULL, tcp_accept, a) != 0)
        die("pthread_create");
    pthread_detach(thread);
}

/* Read up to BATCH datagrams from fd; note its kernel drop count. */
static int receive(int fd, uint32_t *drops) {
    for (int i = 0; i < BATCH; i++) {
        iovs[i].iov_base = buffers[i];
        iovs[i].iov_len = DATAGRAM;
        msgs[i].msg_hdr = (struct msghdr){
            .msg_name = &names[i],
            .msg_namelen = sizeof names[i],
            .msg_iov = &iovs[i],
            .msg_iovlen = 1,
            .msg_control = controls[i].buf,
            .msg_controllen = sizeof controls[i].buf,
        };
    }
    int n = recvmmsg(fd, msgs, BATCH, MSG_DONTWAIT, NULL);
    for (int i = 0; i < n; i++) {
        stamps[i] = 0;
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&msgs[i].msg_hdr); c;
             c = CMSG_NXTHDR(&msgs[i].msg_hdr, c)) {
            if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SO_RXQ_OVFL) {
                memcpy(drops, CMSG_DATA(c), sizeof *drops);
            } else if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
                struct timespec ts;
                memcpy(&ts, CMSG_DATA(c), sizeof ts);
                stamps[i] = (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
            }
        }
    }
    return n; /* -1 with EAGAIN when empty, or a pending socket error (consumed) */
}

/* sendmmsg every message of msgs[0..n); a message that fails is counted and skipped. */
static void send_all(int fd, struct mmsghdr *batch, int n) {
    int done = 0;
    while (done < n) {
        int sent = sendmmsg(fd, batch + done, (unsigned)(n - done), MSG_DONTWAIT);
        if (sent < 0) {
            if (errno == EINTR)
                continue;
            stats.send_errors++;
            done++;
        } else {
            done += sent;
        }
    }
}

static void questions(struct address *a) {
    for (int round = 0; round < ROUNDS; round++) {
        int n = receive(a->front, &a->drops[0]), out = 0;
        for (int i = 0; i < n; i++) {
            unsigned len = msgs[i].msg_len;
            unsigned char *data = buffers[i];
            if (len < HEADER)
                continue;
            uint16_t wire_id = a->next_id++;
            struct pending *p = &a->pending[wire_id];
            if (p->used)
                stats.id_reused++; /* 65,536 questions in flight on one address */
            else
                stats.unanswered++;
            p->used = 1;
            memcpy(&p->client_id, data, 2);
            p->client = names[i];
            stats.questions++;
            data[0] = (unsigned char)(wire_id >> 8);
            data[1] = (unsigned char)wire_id;
            iovs[out].iov_base = data;
            iovs[out].iov_len = len;
            msgs[out].msg_hdr = (struct msghdr){.msg_iov = &iovs[out], .msg_iovlen = 1};
            out++;
        }
        send_all(a->up, msgs, out);
        if (n < BATCH)
            return;
    }
}

static int64_t real_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void hold(int64_t due, int origin, const struct sockaddr_in *client,
                 const unsigned char *data, unsigned len) {
    if (later.count == later.size) {
        size_t size = later.size ? later.size * 2 : 4096;
        struct held *items = malloc(size * sizeof *items);
        if (!items)
            die("malloc");
        for (size_t i = 0; i < later.count; i++)
            items[i] = later.items[(later.head + i) % later.size];
        free(later.items);
        later.items = items;
        later.head = 0;
        later.size = size;
    }
    struct held *h = &later.items[(later.head + later.count) % later.size];
    h->data = malloc(len);
    if (!h->data)
        die("malloc");
    memcpy(h->data, data, len);
    h->len = (uint16_t)len;
    h->due = due;
    h->origin = origin;
    h->client = *client;
    later.count++;
    /* answers read late from one socket may be due before others already held: keep it sorted */
    for (size_t j = later.count - 1; j > 0; j--) {
        struct held *after = &later.items[(later.head + j) % later.size];
        struct held *before = &later.items[(later.head + j - 1) % later.size];
        if (before->due <= after->due)
            break;
        struct held swap = *before;
        *before = *after;
        *after = swap;
    }
}

static void answers(struct address *a) {
    for (int round = 0; round < ROUNDS; round++) {
        int n = receive(a->up, &a->drops[1]);
        int64_t now = now_ns(), real = real_ns();
        for (int i = 0; i < n; i++) {
            /* held DELAY from its arrival (the kernel's timestamp), not from when it was read */
            int64_t age = stamps[i] && stamps[i] < real ? real - stamps[i] : 0;
            int64_t due = now - age + delay_ns;
            unsigned len = msgs[i].msg_len;
            unsigned char *data = buffers[i];
            struct pending *p = len >= 2 ? &a->pending[data[0] << 8 | data[1]] : NULL;
            int matched = p && p->used;
            if (matched) {
                p->used = 0;
                stats.unanswered--;
            }
            if (!matched || len < HEADER) {
                stats.unmatched++;
                continue;
            }
            if (loss > 0 && uniform() < loss) {
                stats.dropped_on_purpose++;
                continue;
            }
            stats.answers++;
            memcpy(data, &p->client_id, 2);
            hold(due, (int)(a - addresses), &p->client, data, len);
        }
        if (n < BATCH)
            return;
    }
}

static void flush(struct address *a) {
    send_all(a->front, a->msgs_out, a->out);
    for (int i = 0; i < a->out; i++)
        free(a->iovs_out[i].iov_base);
    a->out = 0;
}

/*
 * Send every held answer that is due: FIFO order within each front socket, one
 * sendmmsg per front socket (so a client is woken once for all its due answers).
 */
static void release(int64_t now) {
    while (later.count && later.items[later.head].due <= now) {
        struct held *h = &later.items[later.head];
        struct address *a = &addresses[h->origin];
        if (a->out == BATCH)
            flush(a);
        a->iovs_out[a->out] = (struct iovec){.iov_base = h->data, .iov_len = h->len};
        a->msgs_out[a->out].msg_hdr = (struct msghdr){
            /* the ring's slot stays valid until sent: nothing is added meanwhile */
            .msg_name = &h->client,
            .msg_namelen = sizeof h->client,
            .msg_iov = &a->iovs_out[a->out],
            .msg_iovlen = 1,
        };
        a->out++;
        later.head = (later.head + 1) % later.size;
        later.count--;
    }
    for (int i = 0; i < n_addresses; i++)
        if (addresses[i].out)
            flush(&addresses[i]);
}

static void report(void) {
    /* An exchange whose answer a client already has counts once its thread is done: wait for
       the exchanges under way (up to a second), or the count would race their last step. */
    for (int i = 0; i < 200 && atomic_load(&tcp_active) > 0; i++) {
        struct timespec pause = {0, 5000000};
        nanosleep(&pause, NULL);
    }
    uint64_t drops = 0;
    for (int i = 0; i < n_addresses; i++)
        drops += (uint64_t)addresses[i].drops[0] + addresses[i].drops[1];
    printf("stats {\"questions\": %llu, \"answers\": %llu, \"dropped_on_purpose\": %llu, "
           "\"unmatched\": %llu, \"unanswered\": %llu, \"kernel_drops\": %llu, \"tcp\": %llu, "
           "\"send_errors\": %llu, \"id_reused\": %llu}\n",
           (unsigned long long)stats.questions, (unsigned long long)stats.answers,
           (unsigned long long)stats.dropped_on_purpose, (unsigned long long)stats.unmatched,
           (unsigned long long)stats.unanswered, (unsigned long long)drops,
           (unsigned long long)atomic_load(&stats.tcp), (unsigned long long)stats.send_errors,
           (unsigned long long)stats.id_reused);
    fflush(stdout);
}

static long number(const char *text, long low, long high) {
    char *end;
    long value = strtol(text, &end, 10);
    if (*text == '\0' || *end != '\0' || value < low || value > high) {
        fprintf(stderr, "relay: not a number from %ld to %ld: %s\n", low, high, text);
        exit(2);
    }
    return value;
}

static double real(const char *text, double low, double high) {
    char *end;
    double value = strtod(text, &end);
    if (*text == '\0' || *end != '\0' || !(value >= low && value <= high)) {
        fprintf(stderr, "relay: not a number from %g to %g: %s\n", low, high, text);
        exit(2);
    }
    return value;
}

int main(int argc, char **argv) {
    int arg = 1;
    double slot = SLOT;
    for (; arg < argc && strncmp(argv[arg], "--", 2) == 0; arg++) {
        if (strncmp(argv[arg], "--loss=", 7) == 0)
            loss = real(argv[arg] + 7, 0.0, 1.0);
        else if (strncmp(argv[arg], "--slot=", 7) == 0)
            slot = real(argv[arg] + 7, 0.0, 1.0);
        else
            break;
    }
    slot_ns = (int64_t)(slot * 1e9 + 0.5);
    if (slot_ns < 1)
        slot_ns = 1;
    if (argc - arg < 4) {
        fprintf(stderr, "usage: relay [--loss=P] [--slot=S] PORT UPSTREAM_PORT DELAY ADDRESS...\n");
        return 2;
    }
    port = (uint16_t)number(argv[arg++], 1, 65535);
    upstream_port = (uint16_t)number(argv[arg++], 1, 65535);
    delay_s = real(argv[arg++], 0.0, 3600.0);
    delay_ns = (int64_t)(delay_s * 1e9 + 0.5);

    /* SIGTERM and SIGINT arrive through a signalfd: blocked here, before any thread starts */
    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGTERM);
    sigaddset(&mask, SIGINT);
    pthread_sigmask(SIG_BLOCK, &mask, NULL);
    signal(SIGPIPE, SIG_IGN);
    (void)prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL); /* wake on time, not up to 50 us late */

    int epoll = epoll_create1(EPOLL_CLOEXEC);
    int answers_epoll = epoll_create1(EPOLL_CLOEXEC);
    int timer = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    int signals = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
    if (epoll < 0 || answers_epoll < 0 || timer < 0 || signals < 0)
        die("epoll, timerfd or signalfd");
    struct epoll_event ev = {.events = EPOLLIN, .data.u64 = TAG_TIMER << 32};
    if (epoll_ctl(epoll, EPOLL_CTL_ADD, timer, &ev) != 0)
        die("epoll_ctl");
    ev.data.u64 = TAG_SIGNAL << 32;
    if (epoll_ctl(epoll, EPOLL_CTL_ADD, signals, &ev) != 0)
        die("epoll_ctl");

    n_addresses = argc - arg;
    addresses = calloc((size_t)n_addresses, sizeof *addresses);
    if (!addresses)
        die("calloc");
    for (int i = 0; i < n_addresses; i++)
        add(epoll, answers_epoll, i, argv[arg + i]);
    printf("ready\n");
    fflush(stdout);

    /*
     * Answers are read when the relay is awake anyway (a question came, or the
     * timer) and, while questions are in flight, at least once a slot: not on
     * their own arrival. That spares the relay a wake-up an answer; each is still
     * held from its arrival (SO_TIMESTAMPNS). With slots under 0.1 ms or a delay
     * under two slots, an answer wakes the relay as it comes.
     */
    int lazy = slot_ns >= 100000 && delay_ns >= 2 * slot_ns;
    if (!lazy) {
        ev.data.u64 = TAG_UP << 32;
        if (epoll_ctl(epoll, EPOLL_CTL_ADD, answers_epoll, &ev) != 0)
            die("epoll_ctl");
    }
    int64_t armed = -1;         /* the deadline the timerfd is set for, or -1 */
    int64_t last_question = 0;  /* when a question last came */
    struct epoll_event events[64], ready[64];
    for (;;) {
        int n = epoll_wait(epoll, events, 64, -1);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            die("epoll_wait");
        }
        for (int i = 0; i < n; i++) {
            uint64_t tag = events[i].data.u64 >> 32;
            struct address *a = &addresses[events[i].data.u64 & 0xFFFFFFFFu];
            if (tag == TAG_FRONT) {
                questions(a);
                last_question = now_ns();
            } else if (tag == TAG_UP) {
                continue; /* read below */
            } else if (tag == TAG_TIMER) {
                uint64_t ticks;
                (void)!read(timer, &ticks, sizeof ticks);
                armed = -1;
            } else {
                report();
                return 0;
            }
        }
        int m = epoll_wait(answers_epoll, ready, 64, 0);
        for (int i = 0; i < m; i++)
            answers(&addresses[ready[i].data.u64 & 0xFFFFFFFFu]);
        int64_t now = now_ns();
        if (later.count && later.items[later.head].due <= now)
            release(now);
        /* the timer wakes the relay at the head answer's slot: never early, < SLOT late */
        int64_t wake = later.count ? (later.items[later.head].due + slot_ns - 1) / slot_ns * slot_ns
                                   : INT64_MAX;
        /* and, lazy, at the next slot while questions asked in the last 2 s are unanswered */
        if (lazy && stats.unanswered && now - last_question < 2000000000LL) {
            int64_t next = (now / slot_ns + 1) * slot_ns;
            wake = next < wake ? next : wake;
        }
        if (wake != INT64_MAX && wake != armed) {
            armed = wake;
            struct itimerspec at = {{0, 0}, {(time_t)(armed / 1000000000LL),
                                              (long)(armed % 1000000000LL)}};
            if (timerfd_settime(timer, TFD_TIMER_ABSTIME, &at, NULL) != 0)
                die("timerfd_settime");
        }
    }
}
