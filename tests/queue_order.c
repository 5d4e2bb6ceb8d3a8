/* queue_order.c -- an LD_PRELOAD checker for one librdkafka rule that no
 * memory checker sees: every queue reference (rd_kafka_queue_new,
 * rd_kafka_queue_get_*) is destroyed before its rd_kafka_t.  librdkafka 2.0.2
 * frees the rd_kafka_t anyway and the queue's own memory stays valid, so
 * ASan and valgrind stay silent; a later librdkafka may not be so forgiving.
 *
 * Built and preloaded by tests/admin.test (admin-9.2).  At exit it prints
 *     queue-order: tracked N late M
 * to stderr: N queue references seen, M of them destroyed after their
 * rd_kafka_t (each such one is also reported when it happens). */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

typedef struct rd_kafka_s rd_kafka_t;
typedef struct rd_kafka_queue_s rd_kafka_queue_t;

enum { kSlots = 4096 };
static struct {
    rd_kafka_queue_t *queue;
    rd_kafka_t *rk; /* NULL once the rd_kafka_t was destroyed */
} slots[kSlots];
static unsigned long tracked, late;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

// librdkafka comes in with the package (dlopen, local scope): RTLD_NEXT
// does not see it, its handle does.
static void *real(const char *name) {
    void *f = dlsym(RTLD_NEXT, name);
    if (!f) {
        void *lib = dlopen("librdkafka.so.1", RTLD_NOW | RTLD_NOLOAD);
        if (lib) f = dlsym(lib, name);
    }
    if (!f) {
        fprintf(stderr, "queue-order: no %s\n", name);
        _exit(99);
    }
    return f;
}

static rd_kafka_queue_t *track(rd_kafka_t *rk, rd_kafka_queue_t *queue) {
    if (!queue) return queue;
    pthread_mutex_lock(&lock);
    for (int i = 0; i < kSlots; i++) {
        if (!slots[i].queue) {
            slots[i].queue = queue;
            slots[i].rk = rk;
            tracked++;
            break;
        }
    }
    pthread_mutex_unlock(&lock);
    return queue;
}

rd_kafka_queue_t *rd_kafka_queue_new(rd_kafka_t *rk) {
    static rd_kafka_queue_t *(*f)(rd_kafka_t *);
    if (!f) f = real("rd_kafka_queue_new");
    return track(rk, f(rk));
}

rd_kafka_queue_t *rd_kafka_queue_get_main(rd_kafka_t *rk) {
    static rd_kafka_queue_t *(*f)(rd_kafka_t *);
    if (!f) f = real("rd_kafka_queue_get_main");
    return track(rk, f(rk));
}

rd_kafka_queue_t *rd_kafka_queue_get_consumer(rd_kafka_t *rk) {
    static rd_kafka_queue_t *(*f)(rd_kafka_t *);
    if (!f) f = real("rd_kafka_queue_get_consumer");
    return track(rk, f(rk));
}

rd_kafka_queue_t *rd_kafka_queue_get_partition(rd_kafka_t *rk, const char *topic, int32_t partition) {
    static rd_kafka_queue_t *(*f)(rd_kafka_t *, const char *, int32_t);
    if (!f) f = real("rd_kafka_queue_get_partition");
    return track(rk, f(rk, topic, partition));
}

void rd_kafka_queue_destroy(rd_kafka_queue_t *queue) {
    static void (*f)(rd_kafka_queue_t *);
    if (!f) f = real("rd_kafka_queue_destroy");
    pthread_mutex_lock(&lock);
    for (int i = 0; i < kSlots; i++) {
        if (queue && slots[i].queue == queue) {
            if (!slots[i].rk) {
                late++;
                fprintf(stderr, "queue-order: queue %p destroyed after its rd_kafka_t\n", (void *)queue);
            }
            slots[i].queue = NULL;
            break;
        }
    }
    pthread_mutex_unlock(&lock);
    f(queue);
}

static void orphan(rd_kafka_t *rk) {
    pthread_mutex_lock(&lock);
    for (int i = 0; i < kSlots; i++)
        if (slots[i].queue && slots[i].rk == rk) slots[i].rk = NULL;
    pthread_mutex_unlock(&lock);
}

void rd_kafka_destroy(rd_kafka_t *rk) {
    static void (*f)(rd_kafka_t *);
    if (!f) f = real("rd_kafka_destroy");
    f(rk);
    orphan(rk);
}

void rd_kafka_destroy_flags(rd_kafka_t *rk, int flags) {
    static void (*f)(rd_kafka_t *, int);
    if (!f) f = real("rd_kafka_destroy_flags");
    f(rk, flags);
    orphan(rk);
}

__attribute__((destructor)) static void report(void) {
    fprintf(stderr, "queue-order: tracked %lu late %lu\n", tracked, late);
}
