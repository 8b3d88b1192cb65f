// Express 4, installed as the `express4` alias to test the middleware on both majors. It has no types of
// its own; the Express 5 types cover the part the tests use.
declare module 'express4' {
  import express from 'express';
  export default express;
}
