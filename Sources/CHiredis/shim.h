#ifndef CHiredis_SHIM_H
#define CHiredis_SHIM_H
#include <hiredis/hiredis.h>
#include <hiredis/read.h>
#endif
