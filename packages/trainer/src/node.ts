/** Node-only parts of the trainer (checkpoint files, terminal progress). */
export {};
