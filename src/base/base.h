/*
 * base.h - the base library: what every layer of rapport shares and that
 * knows nothing of customers or storage: the one error type, time, input
 * validation and text rules, and one growable buffer.  The store and the
 * core link to it; it includes nothing of theirs.
 */
#ifndef RP_BASE_H
#define RP_BASE_H

#include "base/buf.h"
#include "base/clock.h"
#include "base/error.h"
#include "base/input.h"

#endif
