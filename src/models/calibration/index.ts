/** Step 4, calibration: Platt scaling and isotonic regression, fitted on validation data and saved with the model. */
export {
  CALIBRATION_METHODS,
  type CalibrationMethod,
  type Calibrator,
  type CalibratorJSON,
  type CalibratorOptions,
  calibratorFromJSON,
  fitCalibrator,
} from './calibrator.js';
export { IsotonicCalibrator, IsotonicJSON, poolAdjacentViolators } from './isotonic.js';
export { PlattCalibrator, PlattJSON, type PlattOptions } from './platt.js';
