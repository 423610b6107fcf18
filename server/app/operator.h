/* Operator subcommands of the naxd executable. */
#ifndef NAXD_OPERATOR_H
#define NAXD_OPERATOR_H

/* `naxd set-kyc ...`: argv as given to main. Returns the exit code. */
int naxd_operator_set_kyc(int argc, char **argv);

#endif
