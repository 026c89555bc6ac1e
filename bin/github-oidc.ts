#!/usr/bin/env node
import { buildGithubOidcApp } from '../lib/github-oidc-app.js';

buildGithubOidcApp().app.synth();
