/*
 * cmd-config.h: the configuration file: defaults for the options, read once
 * before the command runs.
 *
 * The file is $DROVE_CONFIG, else $DROVE_HOME/config, else
 * $XDG_CONFIG_HOME/drove/config, else ~/.config/drove/config; one
 * "key = value" a line, '#' starting a comment line.  Its values stay
 * valid until config_release().  The command line wins over the file: the
 * keys of the common options are applied by common_init() before any option
 * is parsed, and the keys of a command's own options become options put in
 * front of the command's arguments.
 */
#ifndef CMD_CONFIG_H
#define CMD_CONFIG_H

#include "cli/cmd.h"

/*
 * Read the configuration file, when there is one.  Returns 0, or -1 after
 * printing "drove: FILE:LINE: message" (or why it cannot be read).
 */
int	config_load(void);
void	config_release(void);
/* Set the common options the file gives, as defaults (not as "given"). */
void	config_apply(struct common_opts *);
/* The inventory to read when none is given, or NULL. */
const char *config_inventory(void);
/* Whether the file turns shell recording off (record = no). */
int	config_no_record(void);
/*
 * Put the options the file gives for cmd's own options (output, color) in
 * front of its arguments: *argv becomes an array the config owns.
 */
void	config_argv(const struct cmd_entry *cmd, int *argc, char ***argv);
/* Whether word is one of them (the history records what the user typed). */
int	config_added(const char *word);

/*
 * common-opts.c: handle one common option without printing; 1 if it was
 * one, 0 if not, -1 on a bad value.
 */
int	common_set(struct common_opts *, int ch, const char *arg);

#endif /* CMD_CONFIG_H */
