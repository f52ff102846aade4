// SPDX-License-Identifier: GPL-2.0-only
#include "decode/luo_rec.h"

const char *const kt_sess_state_name[KT_SESS_NR_STATES] = {"outgoing", "serialized", "incoming", "retrieved"};
