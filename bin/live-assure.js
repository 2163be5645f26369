#!/usr/bin/env node
import { main } from '../dist/cli.js';
import { createProcessIo, setProcessExitCode } from '../dist/io.js';
setProcessExitCode(await main(process.argv.slice(2), createProcessIo()));
