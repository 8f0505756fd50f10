/* SPDX-License-Identifier: MIT */
/* The simulator's end-of-run report: a table for people, or JSON. */
#ifndef VIOREQ_SIM_REPORT_H
#define VIOREQ_SIM_REPORT_H

#include <stdio.h>

#include "sim.h"

const char *sim_mode_name(enum sim_mode mode);
const char *sim_backend_name(enum sim_backend backend);
void sim_report_table(FILE *out, const struct sim *sim,
		      const struct sim_config *cfg,
		      const struct sim_results *res);
void sim_report_json(FILE *out, const struct sim *sim,
		     const struct sim_config *cfg,
		     const struct sim_results *res);

#endif /* VIOREQ_SIM_REPORT_H */
