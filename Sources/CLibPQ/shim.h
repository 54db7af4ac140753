#ifndef DOSSIERD_CLIBPQ_SHIM_H
#define DOSSIERD_CLIBPQ_SHIM_H
#include <libpq-fe.h>
#endif
