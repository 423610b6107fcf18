/**
 * @file nax.h
 * @brief libnax, the C SDK of the NA-X exchange: the umbrella header.
 *
 * Include this one header. See README.md for a quick start and
 * `docs/threading.md` for the threading rules.
 */
#ifndef NAX_H
#define NAX_H

#include "nax/common.h"
#include "nax/error.h"
#include "nax/global.h"
#include "nax/decimal.h"
#include "nax/types.h"
#include "nax/codec.h"
#include "nax/auth.h"
#include "nax/client.h"
#include "nax/api.h"
#include "nax/shift.h"
#include "nax/stream.h"

#endif /* NAX_H */
