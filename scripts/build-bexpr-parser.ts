// `npm install`, `npm start`, `npm test` and `npm run bench` generate the filter parser first.
import { writeBexprParser } from '../infra/bundling/bexpr-parser';

writeBexprParser();
